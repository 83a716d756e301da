package dev.tributary.server.cluster;

import dev.tributary.controlplane.security.ListenerEndpoint;
import dev.tributary.dataplane.node.LocalNode;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** This node as the data plane's Metadata reports it: its id and its listener's endpoint. */
@Singleton
public class LocalNodeProducer {
    @Produces
    @Singleton
    LocalNode localNode(NodeIdentity identity, ListenerEndpoint endpoint) {
        return new LocalNode() {
            @Override
            public String nodeId() {
                return identity.nodeId();
            }

            @Override
            public String endpoint() {
                return endpoint.url();
            }
        };
    }
}
