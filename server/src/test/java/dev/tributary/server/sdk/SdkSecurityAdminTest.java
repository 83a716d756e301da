package dev.tributary.server.sdk;

import static dev.tributary.server.sdk.AdminTestSupport.assertCode;
import static dev.tributary.server.sdk.AdminTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.AclBinding;
import dev.tributary.client.admin.AclFilter;
import dev.tributary.client.admin.AclOperation;
import dev.tributary.client.admin.AclPatternType;
import dev.tributary.client.admin.AclPermission;
import dev.tributary.client.admin.AclResourceType;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.IdentityPool;
import dev.tributary.client.admin.NewAcl;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.Page;
import dev.tributary.client.admin.QuotaLimits;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.admin.TenantQuota;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's admin client for ACLs, quotas and identity pools against the real server (real TLS,
 * real client credentials and tokens), including what the ACLs and quotas then do.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkSecurityAdminTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private AdminTestSupport support;

    @BeforeEach
    void connect() throws Exception {
        support = AdminTestSupport.connect(root, config.dataDir());
    }

    @Test
    void aclsAreCreatedListedAndDeletedAndTakeEffect() throws Exception {
        String tenant = support.newTenant("sdk");
        JsonNode tenantAdmin = support.newAccount(tenant, ServiceAccount.TENANT_ADMIN);
        JsonNode member = support.newAccount(tenant, ServiceAccount.MEMBER);
        String memberId = member.get("id").asText();
        try (TributaryClient adminClient = support.client(tenantAdmin); TributaryClient memberClient = support.client(member)) {
            Admin admin = adminClient.admin();
            await(admin.createTopic(new NewTopic("orders", 1)));
            // Deny by default: the member may not even see the topic.
            assertCode("FORBIDDEN", 403, memberClient.admin().describeTopic("orders"));

            AclBinding read = await(admin.createAcl(NewAcl.allow(memberId, AclOperation.READ, AclResourceType.TOPIC, "orders")));
            assertNotNull(read.id());
            assertEquals(new AclBinding(read.id(), memberId, AclOperation.READ, AclResourceType.TOPIC, AclPatternType.LITERAL, "orders",
                    AclPermission.ALLOW), read);
            assertEquals(read, await(admin.describeAcl(read.id())));
            // read implies describe.
            assertEquals("orders", await(memberClient.admin().describeTopic("orders")).name());

            // The id comes from the content: the same binding again is a conflict.
            TributaryException duplicate = assertCode("ACL_ALREADY_EXISTS", 409,
                    admin.createAcl(NewAcl.allow(memberId, AclOperation.READ, AclResourceType.TOPIC, "orders")));
            assertTrue(duplicate.getMessage().contains("create ACL"), duplicate.getMessage());
            TributaryException invalid = assertCode("INVALID_ACL", 400,
                    admin.createAcl(NewAcl.allow(memberId, AclOperation.ALTER, AclResourceType.GROUP, "billing")));
            assertTrue(invalid.getMessage().contains("operation"), "the detail names the field: " + invalid.getMessage());
            assertCode("INVALID_ACL", 400, admin.createAcl(NewAcl.allow("nobody", AclOperation.READ, AclResourceType.TOPIC, "x")));

            AclBinding denyAudit = await(admin.createAcl(NewAcl.deny("*", AclOperation.WRITE, AclResourceType.TOPIC, "audit-").prefixed()));
            assertEquals(AclPatternType.PREFIXED, denyAudit.patternType());
            assertEquals(AclPermission.DENY, denyAudit.permission());
            assertEquals("*", denyAudit.principal());
            AclBinding group = await(admin.createAcl(NewAcl.allow(memberId, AclOperation.READ, AclResourceType.GROUP, "billing")));

            assertEquals(Set.of(read, denyAudit, group), Set.copyOf(await(admin.listAcls(AclFilter.ANY))));
            assertEquals(Set.of(read, group), Set.copyOf(await(admin.listAcls(AclFilter.forPrincipal(memberId)))));
            assertEquals(List.of(read), await(admin.listAcls(AclFilter.forResource(AclResourceType.TOPIC, "orders"))));
            assertEquals(List.of(group), await(admin.listAcls(new AclFilter(memberId, AclResourceType.GROUP, null))));
            Page<AclBinding> first = await(admin.listAcls(AclFilter.ANY, 2, null));
            assertEquals(2, first.items().size());
            Page<AclBinding> second = await(admin.listAcls(AclFilter.ANY, 2, first.nextPageToken()));
            assertEquals(1, second.items().size());
            assertNull(second.nextPageToken());

            // Members never manage ACLs, and another tenant's administrator is refused without learning anything.
            assertCode("FORBIDDEN", 403, memberClient.admin().createAcl(NewAcl.allow(memberId, AclOperation.ALL,
                    AclResourceType.TOPIC, "*")));
            assertCode("FORBIDDEN", 403, memberClient.admin().listAcls(AclFilter.ANY));
            String other = support.newTenant("sdk");
            try (TributaryClient intruder = support.client(support.newAccount(other, ServiceAccount.TENANT_ADMIN))) {
                Admin wrong = intruder.admin().forTenant(tenant);
                assertCode("FORBIDDEN", 403, wrong.listAcls(AclFilter.ANY));
                assertCode("FORBIDDEN", 403, wrong.describeAcl(read.id()));
                assertCode("FORBIDDEN", 403, wrong.deleteAcl(read.id()));
                assertCode("FORBIDDEN", 403, wrong.createAcl(NewAcl.allow("*", AclOperation.ALL, AclResourceType.TOPIC, "*")));
            }

            await(admin.deleteAcl(read.id()));
            assertCode("ACL_NOT_FOUND", 404, admin.describeAcl(read.id()));
            assertCode("ACL_NOT_FOUND", 404, admin.deleteAcl(read.id()));
            // Gone on this node at once: the member is denied again.
            assertCode("FORBIDDEN", 403, memberClient.admin().describeTopic("orders"));
            assertEquals(Set.of(denyAudit, group), Set.copyOf(await(admin.listAcls(AclFilter.ANY))));
        }
    }

    @Test
    void platformAdministratorsSetQuotasThatTenantAdministratorsCanOnlyRead() throws Exception {
        String tenant = support.newTenant("sdk");
        try (TributaryClient platform = support.platformAdmin();
                TributaryClient tenantAdmin = support.client(support.newAccount(tenant, ServiceAccount.TENANT_ADMIN))) {
            Admin quotas = platform.admin().forTenant(tenant);
            TenantQuota defaults = await(quotas.describeQuota());
            assertNotNull(defaults.etag());
            assertEquals(0, defaults.usage().topics());
            assertEquals(0, defaults.usage().partitions());
            // The tenant's administrators read the same.
            assertEquals(defaults.limits(), await(tenantAdmin.admin().describeQuota()).limits());
            assertCode("FORBIDDEN", 403, tenantAdmin.admin().setQuota(QuotaLimits.UNLIMITED, null));
            assertCode("FORBIDDEN", 403, tenantAdmin.admin().resetQuota());

            QuotaLimits limits = QuotaLimits.UNLIMITED.withTopics(1L).withPartitions(3L).withProduceBytesPerSecond(10_000_000L);
            TenantQuota set = await(quotas.setQuota(limits, defaults.etag()));
            assertEquals(limits, set.limits());
            assertNotEquals(defaults.etag(), set.etag());
            TenantQuota reread = await(quotas.describeQuota());
            assertEquals(set.limits(), reread.limits());
            assertEquals(set.etag(), reread.etag());
            // Optimistic concurrency: the etag read before the change is stale now, and changes nothing.
            assertCode("PRECONDITION_FAILED", 412, quotas.setQuota(QuotaLimits.UNLIMITED, defaults.etag()));
            assertCode("INVALID_QUOTA", 400, quotas.setQuota(QuotaLimits.UNLIMITED.withTopics(-1L), null));
            assertEquals(limits, await(quotas.describeQuota()).limits());

            // The limits hold: one topic, then a clear error; the use is visible.
            await(tenantAdmin.admin().createTopic(new NewTopic("first", 2)));
            assertCode("TOPIC_QUOTA_EXCEEDED", 409, tenantAdmin.admin().createTopic(new NewTopic("second", 1)));
            TenantQuota used = await(tenantAdmin.admin().describeQuota());
            assertEquals(1, used.usage().topics());
            assertEquals(2, used.usage().partitions());

            await(quotas.resetQuota());
            assertEquals(defaults.limits(), await(quotas.describeQuota()).limits());
            assertCode("TENANT_NOT_FOUND", 404, platform.admin().forTenant("no-such-tenant").describeQuota());
            assertCode("TENANT_NOT_FOUND", 404, platform.admin().forTenant("no-such-tenant").setQuota(limits, null));
        }
    }

    @Test
    void identityPoolsAreCreatedReplacedAndDeleted() throws Exception {
        String tenant = support.newTenant("sdk");
        JsonNode tenantAdmin = support.newAccount(tenant, ServiceAccount.TENANT_ADMIN);
        String issuer = "https://idp-" + UUID.randomUUID().toString().substring(0, 8) + ".example/realms/corp";
        try (TributaryClient client = support.client(tenantAdmin);
                TributaryClient member = support.client(support.newAccount(tenant, ServiceAccount.MEMBER))) {
            Admin admin = client.admin();
            IdentityPool corp = IdentityPool.of("corp", issuer, "tributary").withAdmins("groups", List.of("tributary-admins"));
            IdentityPool created = await(admin.createIdentityPool(corp));
            assertEquals("corp", created.name());
            assertEquals(issuer, created.issuer());
            assertEquals("tributary", created.audience());
            assertEquals("sub", created.principalClaim());
            assertEquals("groups", created.adminClaim());
            assertEquals(List.of("tributary-admins"), created.adminValues());
            assertNull(created.jwksUri());
            assertNotNull(created.etag());
            IdentityPool described = await(admin.describeIdentityPool("corp"));
            assertEquals(created, described);

            assertCode("IDENTITY_POOL_ALREADY_EXISTS", 409, admin.createIdentityPool(IdentityPool.of("corp", issuer + "2", "t")));
            // One pool per issuer in the whole cluster: another tenant cannot claim it either.
            assertCode("ISSUER_ALREADY_REGISTERED", 409, admin.createIdentityPool(IdentityPool.of("corp2", issuer, "t")));
            String other = support.newTenant("sdk");
            try (TributaryClient otherAdmin = support.client(support.newAccount(other, ServiceAccount.TENANT_ADMIN))) {
                assertCode("ISSUER_ALREADY_REGISTERED", 409, otherAdmin.admin().createIdentityPool(IdentityPool.of("corp", issuer, "t")));
                assertCode("FORBIDDEN", 403, otherAdmin.admin().forTenant(tenant).describeIdentityPool("corp"));
            }
            assertCode("INVALID_IDENTITY_POOL", 400, admin.createIdentityPool(IdentityPool.of("Bad Name", issuer + "3", "t")));
            assertCode("INVALID_IDENTITY_POOL", 400, admin.createIdentityPool(IdentityPool.of("plain", "http://idp.example", "t")));
            assertCode("FORBIDDEN", 403, member.admin().createIdentityPool(IdentityPool.of("mine", issuer + "4", "t")));
            assertCode("FORBIDDEN", 403, member.admin().listIdentityPools());

            IdentityPool second = await(admin.createIdentityPool(IdentityPool.of("partners", issuer + "/partners", "tributary")
                    .withPrincipalClaim("email")));
            assertEquals(List.of("corp", "partners"), await(admin.listIdentityPools()).stream().map(IdentityPool::name).toList());
            Page<IdentityPool> page = await(admin.listIdentityPools(1, null));
            assertEquals(List.of("corp"), page.items().stream().map(IdentityPool::name).toList());
            assertEquals(List.of("partners"), await(admin.listIdentityPools(1, page.nextPageToken())).items().stream()
                    .map(IdentityPool::name).toList());
            assertEquals("email", second.principalClaim());

            // Replace, with the etag describe returned; that etag is stale afterwards.
            IdentityPool replaced = await(admin.replaceIdentityPool(described.withAdmins("roles", List.of("admin", "owner")),
                    described.etag()));
            assertEquals("roles", replaced.adminClaim());
            assertEquals(List.of("admin", "owner"), replaced.adminValues());
            assertNotEquals(described.etag(), replaced.etag());
            assertCode("PRECONDITION_FAILED", 412, admin.replaceIdentityPool(described, described.etag()));
            assertEquals("roles", await(admin.describeIdentityPool("corp")).adminClaim());
            assertCode("IDENTITY_POOL_NOT_FOUND", 404, admin.replaceIdentityPool(IdentityPool.of("ghost", issuer + "5", "t"), null));

            await(admin.deleteIdentityPool("corp"));
            assertCode("IDENTITY_POOL_NOT_FOUND", 404, admin.describeIdentityPool("corp"));
            assertCode("IDENTITY_POOL_NOT_FOUND", 404, admin.deleteIdentityPool("corp"));
            // Its issuer is free again.
            assertEquals(issuer, await(admin.createIdentityPool(IdentityPool.of("corp-again", issuer, "t"))).issuer());
        }
    }
}
