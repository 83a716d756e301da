package dev.tributary.server.openapi;

import dev.tributary.controlplane.security.AuthenticationGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.tags.Tag;

/**
 * What every operation of the REST API shares, applied to the generated OpenAPI document by rule
 * rather than by annotations on each resource, so that resources added later follow it without
 * doing anything:
 * <ul>
 *   <li>one tag per concept, taken from the path: {@code /v1/tenants/{tenant}/topics/...} is
 *       {@code topics}, {@code /v1/signing-keys} is {@code signing-keys}, {@code /v1/tenants} and
 *       {@code /v1/tenants/{tenant}} are {@code tenants}, the issuer's paths are {@code oauth2};
 *   <li>a bearer token is required (the document's global security requirement), except on
 *       {@link AuthenticationGate#OPEN_PATHS}, which get none (or keep what META-INF/openapi.yaml
 *       says, as the token endpoint's client authentication);
 *   <li>every protected operation may answer 401 as problem+json ({@link AuthenticationGate}
 *       answers before any resource); those of Tributary's own API ({@value #API_PREFIX}) also 403
 *       and any other error as problem+json (components/responses in META-INF/openapi.yaml),
 *       unless they document those themselves. Other APIs on the listener (the schema registry
 *       speaks Confluent's error format) document their own errors.
 * </ul>
 * Registered with {@code mp.openapi.filter}; it runs when the application is built.
 */
public class OpenApiConventions implements OASFilter {
    static final String OAUTH2_TAG = "oauth2";
    /** Paths of the API whose errors are problem+json. */
    static final String API_PREFIX = "/v1/";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            String concept = concept(path.getKey());
            boolean open = AuthenticationGate.OPEN_PATHS.contains(path.getKey());
            for (Operation operation : path.getValue().getOperations().values()) {
                operation.setTags(new ArrayList<>(List.of(concept)));
                if (open) {
                    if (operation.getSecurity() == null) {
                        operation.setSecurity(new ArrayList<>()); // "security: []": no token
                    }
                } else {
                    addProblemResponses(operation, path.getKey().startsWith(API_PREFIX));
                }
            }
            declareTag(openAPI, concept);
        }
    }

    /** The concept a path belongs to (see the class comment). */
    static String concept(String path) {
        String[] segments = path.replaceAll("^/+", "").split("/");
        if (segments[0].equals("oauth2") || segments[0].equals(".well-known")) {
            return OAUTH2_TAG;
        }
        if (segments[0].equals("v1") && segments.length > 1) {
            if (segments[1].equals("tenants") && segments.length > 3) {
                return segments[3];
            }
            return segments[1];
        }
        return segments[0];
    }

    private static void addProblemResponses(Operation operation, boolean problemApi) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        if (!responses.hasAPIResponse("401")) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().ref("Unauthenticated"));
        }
        if (!problemApi) {
            return;
        }
        if (!responses.hasAPIResponse("403")) {
            responses.addAPIResponse("403", OASFactory.createAPIResponse().ref("Forbidden"));
        }
        if (responses.getDefaultValue() == null) {
            responses.setDefaultValue(OASFactory.createAPIResponse().ref("Problem"));
        }
    }

    /** A concept without a description in META-INF/openapi.yaml still gets its tag declared. */
    private static void declareTag(OpenAPI openAPI, String name) {
        List<Tag> tags = openAPI.getTags();
        if (tags != null && tags.stream().anyMatch(t -> name.equals(t.getName()))) {
            return;
        }
        openAPI.addTag(OASFactory.createTag().name(name));
    }
}
