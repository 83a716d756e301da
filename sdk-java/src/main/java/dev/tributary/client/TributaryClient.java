package dev.tributary.client;

import dev.tributary.client.admin.Admin;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.admin.RestAdmin;
import dev.tributary.client.internal.consumer.GroupConsumer;
import dev.tributary.client.internal.producer.BatchingProducer;
import dev.tributary.client.internal.schema.RestSchemaRegistry;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.schema.SchemaRegistry;
import dev.tributary.client.serde.Deserializer;
import dev.tributary.client.serde.Serdes;
import dev.tributary.client.serde.Serializer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The entry point of the SDK: one connection to a Tributary cluster (TLS, tokens fetched and
 * refreshed from the profile's client credentials), from which producers, consumers and the admin
 * client are made. Thread-safe; make one per application and close it last.
 *
 * <pre>{@code
 * try (TributaryClient client = TributaryClient.connect(ClientProfile.resolve(null));
 *      Producer<String, String> producer = client.newProducer(ProducerConfig.defaults(),
 *              Serdes.stringSerializer(), Serdes.stringSerializer())) {
 *     producer.send(new ProducerRecord<>("orders", "order-1", "{...}")).join();
 * }
 * }</pre>
 */
public final class TributaryClient implements AutoCloseable {
    private final Connection connection;
    private final Admin admin;
    private final SchemaRegistry schemaRegistry;

    private TributaryClient(Connection connection) {
        this.connection = connection;
        this.admin = new RestAdmin(connection);
        this.schemaRegistry = new RestSchemaRegistry(connection);
    }

    /** Connects with a profile's endpoint, CA and client credentials. */
    public static TributaryClient connect(ClientProfile profile) {
        return new TributaryClient(new Connection(Objects.requireNonNull(profile, "profile"), null));
    }

    /** Connects with the profile file at {@code profileFile}. */
    public static TributaryClient connect(Path profileFile) {
        return connect(ClientProfile.load(profileFile));
    }

    /** Connects with a profile's endpoint and CA, authenticating every call with a token obtained elsewhere (never refreshed). */
    public static TributaryClient connect(ClientProfile profile, String bearerToken) {
        return new TributaryClient(new Connection(Objects.requireNonNull(profile, "profile"), Objects.requireNonNull(bearerToken, "token")));
    }

    public <K, V> Producer<K, V> newProducer(ProducerConfig config, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new BatchingProducer<>(connection, config, keySerializer, valueSerializer);
    }

    /** A producer of byte-array keys and values. */
    public Producer<byte[], byte[]> newProducer(ProducerConfig config) {
        return newProducer(config, Serdes.bytesSerializer(), Serdes.bytesSerializer());
    }

    public <K, V> Consumer<K, V> newConsumer(ConsumerConfig config, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new GroupConsumer<>(connection, config, keyDeserializer, valueDeserializer);
    }

    /** A consumer of byte-array keys and values. */
    public Consumer<byte[], byte[]> newConsumer(ConsumerConfig config) {
        return newConsumer(config, Serdes.bytesDeserializer(), Serdes.bytesDeserializer());
    }

    /** The admin client (control API) of the profile's tenant, or of the token's tenant. */
    public Admin admin() {
        return admin;
    }

    /**
     * The tenant's schema registry at the profile's {@code tributary.schema-registry.url}, with this
     * client's TLS trust and tokens; one per client, so that the Avro serdes made with it share its
     * caches.
     */
    public SchemaRegistry schemaRegistry() {
        return schemaRegistry;
    }

    /** Closes the channels. Close producers and consumers first: their pending work fails with CLOSED. */
    @Override
    public void close() {
        connection.close();
    }
}
