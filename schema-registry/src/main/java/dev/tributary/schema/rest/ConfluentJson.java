package dev.tributary.schema.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.schema.SchemaErrorCode;
import dev.tributary.schema.SchemaInput;
import dev.tributary.schema.SchemaReference;
import dev.tributary.schema.SchemaRegistryException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies and responses in the Confluent Schema Registry's JSON. Bodies are parsed here
 * rather than by JAX-RS, so that every malformed or mistyped body gets Confluent's error shape and
 * a message naming the field.
 */
final class ConfluentJson {
    /** The API's own media type; what Confluent clients send and prefer. */
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    static final MediaType V1_TYPE = MediaType.valueOf(V1);
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** An error as Confluent's clients read it. */
    record ErrorBody(@com.fasterxml.jackson.annotation.JsonProperty("error_code") int errorCode, String message) {}

    private ConfluentJson() {}

    /**
     * The media type of the answer: application/json when the client asks for it (and not for the
     * schema registry's own type), else the registry's type, as Confluent answers clients that
     * send no Accept header or {@code *}{@code /*}.
     */
    static MediaType responseType(HttpHeaders headers) {
        if (headers != null) {
            for (MediaType accepted : headers.getAcceptableMediaTypes()) {
                if (accepted.getType().equals("application") && accepted.getSubtype().startsWith("vnd.schemaregistry")) {
                    return V1_TYPE;
                }
                if (accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !accepted.isWildcardType()
                        && !accepted.isWildcardSubtype()) {
                    return MediaType.APPLICATION_JSON_TYPE;
                }
                if (accepted.isWildcardType() || accepted.isWildcardSubtype()) {
                    return V1_TYPE;
                }
            }
        }
        return V1_TYPE;
    }

    static Response ok(Object value, HttpHeaders headers) {
        return Response.ok(bytes(value), responseType(headers)).build();
    }

    static Response error(SchemaRegistryException e, HttpHeaders headers) {
        SchemaErrorCode code = e.code();
        return Response.status(code.httpStatus()).type(responseType(headers))
                .entity(bytes(new ErrorBody(code.errorCode(), e.getMessage()))).build();
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The body as a JSON object: MALFORMED_REQUEST (400) when it is not JSON, UNPROCESSABLE_REQUEST (422) when not an object. */
    static JsonNode object(byte[] body, int maxBytes) {
        if (body == null || body.length == 0) {
            throw new SchemaRegistryException(SchemaErrorCode.UNPROCESSABLE_REQUEST, "A JSON object is required as the request body");
        }
        if (body.length > maxBytes) {
            throw new SchemaRegistryException(SchemaErrorCode.SCHEMA_TOO_LARGE, "The request body is " + body.length
                    + " bytes, more than the " + maxBytes + " this registry reads (see tributary.schema-registry.max-schema-bytes)");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int cut = reason.indexOf("\n at [Source");
            throw new SchemaRegistryException(SchemaErrorCode.MALFORMED_REQUEST, "The request body is not valid JSON: "
                    + (cut > 0 ? reason.substring(0, cut) : reason));
        }
        if (node == null || !node.isObject()) {
            throw new SchemaRegistryException(SchemaErrorCode.UNPROCESSABLE_REQUEST, "The request body must be a JSON object");
        }
        return node;
    }

    /** A schema as Confluent's register, lookup and compatibility requests carry it. */
    static SchemaInput schemaInput(JsonNode body) {
        for (String unsupported : List.of("metadata", "ruleSet")) {
            if (body.hasNonNull(unsupported)) {
                throw SchemaRegistryException.invalidSchema("'" + unsupported + "' (data contracts) is not supported by this registry");
            }
        }
        String type = string(body, "schemaType");
        String schema = string(body, "schema");
        List<SchemaReference> references = new ArrayList<>();
        JsonNode refs = body.get("references");
        if (refs != null && !refs.isNull()) {
            if (!refs.isArray()) {
                throw unprocessable("'references' must be an array of {name, subject, version}");
            }
            for (JsonNode ref : refs) {
                if (!ref.isObject()) {
                    throw unprocessable("each reference must be an object {name, subject, version}");
                }
                String name = string(ref, "name");
                String subject = string(ref, "subject");
                Integer version = integer(ref, "version");
                if (name == null || subject == null || version == null) {
                    throw SchemaRegistryException.invalidSchema("Invalid schema: each reference needs a name, a subject and a version");
                }
                references.add(new SchemaReference(name, subject, version));
            }
        }
        return new SchemaInput(type, schema, references);
    }

    /** An optional string field; UNPROCESSABLE_REQUEST when it is there but not a string. */
    static String string(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw unprocessable("'" + field + "' must be a string");
        }
        return value.asText();
    }

    /** An optional integer field; UNPROCESSABLE_REQUEST when it is there but not an int. */
    static Integer integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isInt()) {
            throw unprocessable("'" + field + "' must be an integer from -2^31 to 2^31-1");
        }
        return value.asInt();
    }

    static SchemaRegistryException unprocessable(String message) {
        return new SchemaRegistryException(SchemaErrorCode.UNPROCESSABLE_REQUEST, message);
    }
}
