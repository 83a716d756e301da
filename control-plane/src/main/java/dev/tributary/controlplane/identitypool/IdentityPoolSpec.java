package dev.tributary.controlplane.identitypool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client's part of an identity pool (the body of POST and PUT), checked field by field: a bad
 * field is 400 INVALID_IDENTITY_POOL naming the field, and so is an unknown one (a misspelt
 * {@code "adminClaims"} must not silently leave a pool without administrators). The rules are in
 * docs/security.md, "Identity pools".
 */
public record IdentityPoolSpec(String name, String issuer, String audience, String principalClaim, String adminClaim,
        List<String> adminValues, String jwksUri, String issuerCaPem) {
    /** Pool names: lowercase letters, digits and '-', 1 to 63 characters, not starting with '-'. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** The principal claim when none is given. */
    public static final String DEFAULT_PRINCIPAL_CLAIM = "sub";
    public static final int MAX_URL_LENGTH = 1024;
    public static final int MAX_TEXT_LENGTH = 256;
    public static final int MAX_ADMIN_VALUES = 100;
    private static final Set<String> FIELDS = Set.of("name", "issuer", "audience", "principalClaim", "adminClaim", "adminValues",
            "jwksUri", "issuerCaPem");
    /** What GET shows besides the fields above: accepted in a PUT body so that GET, edit, PUT works; ignored ({@code id} must match). */
    private static final Set<String> READ_ONLY_FIELDS = Set.of("id", "createdAt", "updatedAt");

    /**
     * Checks a request body.
     *
     * @param pathName the pool's name from the path (PUT), which the body's {@code name} must equal
     *     if it has one; null for POST, where the body must name the pool
     * @param builtInIssuer the built-in issuer, which no pool may claim
     */
    public static IdentityPoolSpec parse(JsonNode body, String pathName, String builtInIssuer) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                    "a JSON body with the identity pool (name, issuer, audience, ...) is required");
        }
        if (!body.isObject()) {
            throw invalid("the body must be a JSON object with the identity pool's fields");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!FIELDS.contains(field) && (pathName == null || !READ_ONLY_FIELDS.contains(field))) {
                throw invalid("unknown field '" + shorten(field) + "': the fields are " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String name = optionalText(body, "name");
        if (pathName != null) {
            String id = optionalText(body, "id");
            if (name != null && !name.equals(pathName)) {
                throw invalid("name '" + shorten(name) + "' differs from the pool in the path ('" + pathName
                        + "'): a pool cannot be renamed");
            }
            if (id != null && !id.equals(pathName)) {
                throw invalid("id '" + shorten(id) + "' differs from the pool in the path ('" + pathName + "')");
            }
            name = pathName;
        }
        if (name == null) {
            throw invalid("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw invalid("invalid name '" + shorten(name)
                    + "': lowercase letters, digits and '-', 1 to 63 characters, not starting with '-'");
        }
        String issuer = httpsUrl(body, "issuer", true);
        if (issuer.equals(builtInIssuer)) {
            throw invalid("issuer " + issuer + " is Tributary's own token issuer, whose tokens need no identity pool");
        }
        String audience = text(body, "audience", true);
        String principalClaim = claimName(body, "principalClaim");
        String adminClaim = claimName(body, "adminClaim");
        List<String> adminValues = adminValues(body);
        if (adminClaim == null && !adminValues.isEmpty()) {
            throw invalid("adminValues needs an adminClaim: the claim whose values they are");
        }
        if (adminClaim != null && adminValues.isEmpty()) {
            throw invalid("adminClaim needs adminValues: the values of " + adminClaim + " that make a tenant administrator");
        }
        String jwksUri = httpsUrl(body, "jwksUri", false);
        String issuerCaPem = optionalText(body, "issuerCaPem");
        if (issuerCaPem != null) {
            try {
                IssuerTrust.parse(issuerCaPem);
            } catch (IllegalArgumentException e) {
                throw invalid("issuerCaPem " + e.getMessage());
            }
        }
        return new IdentityPoolSpec(name, issuer, audience, principalClaim == null ? DEFAULT_PRINCIPAL_CLAIM : principalClaim,
                adminClaim, adminValues, jwksUri, issuerCaPem);
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return value.asText();
    }

    /** A non-empty string without control characters or surrounding spaces, at most {@link #MAX_TEXT_LENGTH} characters. */
    private static String text(JsonNode body, String field, boolean required) {
        String value = optionalText(body, field);
        if (value == null) {
            if (required) {
                throw invalid(field + " is required");
            }
            return null;
        }
        checkText(field, value);
        return value;
    }

    private static void checkText(String field, String value) {
        if (value.isEmpty() || value.length() > MAX_TEXT_LENGTH) {
            throw invalid(field + " must be 1 to " + MAX_TEXT_LENGTH + " characters");
        }
        if (!value.strip().equals(value) || value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(field + " must not have control characters or leading or trailing spaces");
        }
    }

    /** A claim name: a top-level claim of the token, taken literally (no paths). */
    private static String claimName(JsonNode body, String field) {
        String value = text(body, field, false);
        if (value != null && value.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(field + " must be a claim name without spaces");
        }
        return value;
    }

    private static List<String> adminValues(JsonNode body) {
        JsonNode values = body.get("adminValues");
        if (values == null || values.isNull()) {
            return List.of();
        }
        if (!values.isArray()) {
            throw invalid("adminValues must be an array of strings");
        }
        if (values.size() > MAX_ADMIN_VALUES) {
            throw invalid("adminValues may have at most " + MAX_ADMIN_VALUES + " values");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (JsonNode value : values) {
            if (!value.isTextual()) {
                throw invalid("adminValues must be an array of strings");
            }
            checkText("each of adminValues", value.asText());
            distinct.add(value.asText());
        }
        return new ArrayList<>(distinct);
    }

    /**
     * An absolute https URL with a host, without user info, query or fragment (an issuer is an
     * https URL by OpenID Connect Discovery; tokens are compared with it exactly, so it is kept as
     * given).
     */
    private static String httpsUrl(JsonNode body, String field, boolean required) {
        String value = optionalText(body, field);
        if (value == null) {
            if (required) {
                throw invalid(field + " is required");
            }
            return null;
        }
        if (value.length() > MAX_URL_LENGTH) {
            throw invalid(field + " must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(field + " '" + shorten(value) + "' is not a URL");
        }
        if (!"https".equals(uri.getScheme())) {
            throw invalid(field + " must be an https URL, was '" + shorten(value) + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getRawUserInfo() != null) {
            throw invalid(field + " must be an https URL with a host name and no user info, was '" + shorten(value) + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(field + " must not have a query or a fragment, was '" + shorten(value) + "'");
        }
        if (!uri.getHost().toLowerCase(Locale.ROOT).equals(uri.getHost())) {
            throw invalid(field + " must have its host name in lower case (tokens are matched exactly), was '" + shorten(value) + "'");
        }
        return value;
    }

    private static String shorten(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.badRequest(ErrorCodes.INVALID_IDENTITY_POOL, detail);
    }
}
