package dev.tributary.client.internal.producer;

import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.MetadataResponse;
import dev.tributary.api.v1.PartitionInfo;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the producer knows of its topics: partition count and each partition's owner endpoint,
 * from {@code FetchService.Metadata} on the profile's endpoint, kept for {@code
 * metadata.max.age.ms} and refreshed earlier when a produce answer says it is out of date. A
 * NOT_OWNER answer that names the owner updates one partition at once, without a Metadata call.
 * One Metadata call per topic at a time: concurrent refreshes share it.
 */
final class ProducerMetadata {
    /**
     * One topic's layout.
     *
     * @param owners owner endpoint per partition, {@code ""} when unknown (send to the profile's endpoint)
     * @param fetchedAtNanos when the Metadata answer arrived
     */
    record TopicLayout(String topic, List<String> owners, long fetchedAtNanos) {
        int partitions() {
            return owners.size();
        }

        String owner(int partition) {
            return partition < owners.size() ? owners.get(partition) : "";
        }

        TopicLayout withOwner(int partition, String endpoint) {
            if (partition >= owners.size() || owners.get(partition).equals(endpoint)) {
                return this;
            }
            List<String> changed = new ArrayList<>(owners);
            changed.set(partition, endpoint);
            return new TopicLayout(topic, List.copyOf(changed), fetchedAtNanos);
        }
    }

    private final Connection connection;
    private final long requestTimeoutNanos;
    private final long maxAgeNanos;
    private final RetryBackoff backoff;
    private final ConcurrentMap<String, TopicLayout> layouts = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CompletableFuture<TopicLayout>> pending = new ConcurrentHashMap<>();

    ProducerMetadata(Connection connection, ProducerSettings settings) {
        this.connection = connection;
        this.requestTimeoutNanos = settings.requestTimeoutNanos();
        this.maxAgeNanos = settings.metadataMaxAgeNanos();
        this.backoff = new RetryBackoff(settings.retryBackoffNanos(), settings.retryBackoffMaxNanos());
    }

    /** The layout known now, or null if the topic was never fetched. Starts a refresh if it is older than metadata.max.age.ms. */
    TopicLayout current(String topic) {
        TopicLayout layout = layouts.get(topic);
        if (layout != null && System.nanoTime() - layout.fetchedAtNanos() >= maxAgeNanos) {
            refresh(topic);
        }
        return layout;
    }

    /**
     * The topic's layout, fetching it if unknown (or, with {@code fresh}, fetching it anew): waits
     * up to {@code maxWaitNanos}, retrying retriable failures with backoff. Fails with the
     * server's code (UNKNOWN_TOPIC, PERMISSION_DENIED, ...) or TIMEOUT carrying the last failure.
     */
    TopicLayout await(String topic, long maxWaitNanos, boolean fresh) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        TributaryException last = null;
        int failures = 0;
        while (true) {
            if (!fresh) {
                TopicLayout known = current(topic);
                if (known != null) {
                    return known;
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw timeout(topic, maxWaitNanos, last);
            }
            try {
                return refresh(topic).get(remaining, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                TributaryException failure = Errors.translate(e.getCause());
                if (!failure.retriable()) {
                    throw failure;
                }
                last = failure;
                fresh = false; // a layout another refresh got meanwhile will do
                long pause = Math.min(backoff.delayNanos(++failures), deadline - System.nanoTime());
                if (pause > 0) {
                    TimeUnit.NANOSECONDS.sleep(pause);
                }
            } catch (TimeoutException e) {
                throw timeout(topic, maxWaitNanos, last);
            }
        }
    }

    /** Fetches the topic's layout anew (joining a fetch under way). */
    CompletableFuture<TopicLayout> refresh(String topic) {
        CompletableFuture<TopicLayout> mine = new CompletableFuture<>();
        CompletableFuture<TopicLayout> underway = pending.putIfAbsent(topic, mine);
        if (underway != null) {
            return underway;
        }
        mine.whenComplete((layout, failure) -> pending.remove(topic, mine));
        try {
            FetchServiceGrpc.newStub(connection.channel())
                    .withCallCredentials(connection.callCredentials())
                    .withDeadlineAfter(requestTimeoutNanos, TimeUnit.NANOSECONDS)
                    .metadata(MetadataRequest.newBuilder().addTopics(topic).build(), new StreamObserver<>() {
                        private MetadataResponse response;

                        @Override
                        public void onNext(MetadataResponse value) {
                            response = value;
                        }

                        @Override
                        public void onError(Throwable t) {
                            mine.completeExceptionally(Errors.translate(t));
                        }

                        @Override
                        public void onCompleted() {
                            try {
                                TopicLayout layout = layoutOf(topic, response);
                                layouts.put(topic, layout);
                                mine.complete(layout);
                            } catch (TributaryException e) {
                                mine.completeExceptionally(e);
                            }
                        }
                    });
        } catch (RuntimeException e) {
            mine.completeExceptionally(Errors.translate(e));
        }
        return mine;
    }

    /** Records the owner a NOT_OWNER answer named for a partition: later batches go there directly. */
    void redirect(String topic, int partition, String endpoint) {
        layouts.computeIfPresent(topic, (t, layout) -> layout.withOwner(partition, endpoint));
    }

    private static TopicLayout layoutOf(String topic, MetadataResponse response) {
        TopicInfo info = null;
        if (response != null) {
            for (TopicInfo t : response.getTopicsList()) {
                if (t.getName().equals(topic)) {
                    info = t;
                }
            }
        }
        if (info == null || info.getPartitionsCount() == 0) {
            throw new TributaryException(TributaryException.TRANSPORT, "the Metadata answer does not describe topic '" + topic + "'");
        }
        String[] owners = new String[info.getPartitionsCount()];
        for (PartitionInfo p : info.getPartitionsList()) {
            if (p.getPartition() < 0 || p.getPartition() >= owners.length || owners[p.getPartition()] != null) {
                throw new TributaryException(TributaryException.TRANSPORT, "the Metadata answer for topic '" + topic
                        + "' does not list partitions 0.." + (owners.length - 1) + " once each");
            }
            owners[p.getPartition()] = p.getOwner().getEndpoint();
        }
        return new TopicLayout(topic, List.copyOf(Arrays.asList(owners)), System.nanoTime());
    }

    private static TributaryException timeout(String topic, long waitedNanos, TributaryException last) {
        return new TributaryException(TributaryException.TIMEOUT, "no metadata for topic '" + topic + "' within max.block.ms ("
                + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms)" + (last == null ? "" : "; last failure: " + last.getMessage()),
                false, null, null, last);
    }
}
