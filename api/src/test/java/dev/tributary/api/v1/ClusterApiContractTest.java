package dev.tributary.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.RuntimeVersion;
import com.google.protobuf.Timestamp;
import io.grpc.MethodDescriptor;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The generated API is what clients see on the wire: names and field numbers must stay put. */
class ClusterApiContractTest {

    @Test
    void serviceAndMethodNamesAreTheWireContract() {
        assertEquals("tributary.v1.ClusterService", ClusterServiceGrpc.SERVICE_NAME);
        MethodDescriptor<GetClusterInfoRequest, GetClusterInfoResponse> method = ClusterServiceGrpc.getGetClusterInfoMethod();
        assertEquals("tributary.v1.ClusterService/GetClusterInfo", method.getFullMethodName());
        assertEquals(MethodDescriptor.MethodType.UNARY, method.getType());
    }

    @Test
    void responseFieldNumbersAreStable() {
        var fields = GetClusterInfoResponse.getDescriptor();
        assertEquals(1, fields.findFieldByName("server_version").getNumber());
        assertEquals(2, fields.findFieldByName("storage_backend").getNumber());
        assertEquals(3, fields.findFieldByName("node_id").getNumber());
        assertEquals(4, fields.findFieldByName("start_time").getNumber());
        assertEquals(5, fields.findFieldByName("store_read_version").getNumber());
    }

    @Test
    void responseRoundTrips() throws Exception {
        GetClusterInfoResponse original = GetClusterInfoResponse.newBuilder()
                .setServerVersion("1.2.3")
                .setStorageBackend("embedded")
                .setNodeId("node-a")
                .setStartTime(Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5))
                .setStoreReadVersion(42)
                .build();
        assertEquals(original, GetClusterInfoResponse.parseFrom(original.toByteArray()));
    }

    @Test
    void generatedCodeMatchesTheProtobufRuntime() throws Exception {
        // protoc.version is a separate property from the BOM-managed protobuf-java; they must agree.
        Properties codegen = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/codegen.properties")) {
            assertNotNull(in, "codegen.properties missing");
            codegen.load(in);
        }
        String runtime = RuntimeVersion.MAJOR + "." + RuntimeVersion.MINOR + "." + RuntimeVersion.PATCH;
        assertEquals(runtime, codegen.getProperty("protoc.version"),
                "protoc.version in the root pom.xml must equal the protobuf-java version the Quarkus BOM manages");
    }
}
