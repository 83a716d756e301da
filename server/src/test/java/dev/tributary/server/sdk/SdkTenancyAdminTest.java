package dev.tributary.server.sdk;

import static dev.tributary.server.sdk.AdminTestSupport.assertCode;
import static dev.tributary.server.sdk.AdminTestSupport.assertLocalCode;
import static dev.tributary.server.sdk.AdminTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.Page;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.admin.ServiceAccountCredentials;
import dev.tributary.client.admin.Tenant;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's admin client for tenants and service accounts against the real server: real TLS, the
 * platform administrator's real profile file, real client credentials and tokens.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkTenancyAdminTest {
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
    void platformAdministratorCreatesListsDescribesAndDeletesTenants() throws Exception {
        try (TributaryClient client = support.platformAdmin()) {
            Admin admin = client.admin();
            String id = "sdk-t-" + Long.toString(System.nanoTime(), 36);
            Instant before = Instant.now().minusSeconds(5);
            Tenant created = await(admin.createTenant(id));
            assertEquals(id, created.id());
            assertFalse(created.createdAt().isBefore(before), created.createdAt().toString());
            assertEquals(created, await(admin.describeTenant(id)));

            assertCode("TENANT_ALREADY_EXISTS", 409, admin.createTenant(id));
            assertCode("INVALID_TENANT_ID", 400, admin.createTenant("Not_A_Tenant"));

            // Pages of two: every tenant once, in id order, the same as the whole list.
            for (int i = 0; i < 3; i++) {
                await(admin.createTenant(id + "-" + i));
            }
            List<String> paged = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                Page<Tenant> page = await(admin.listTenants(2, token));
                assertTrue(page.items().size() <= 2, page.toString());
                page.items().forEach(t -> paged.add(t.id()));
                token = page.nextPageToken();
                pages++;
            } while (token != null);
            List<String> all = await(admin.listTenants()).stream().map(Tenant::id).toList();
            assertEquals(all, paged);
            assertEquals(new ArrayList<>(new TreeSet<>(all)), all, "in id order, each once");
            assertTrue(pages >= 3, "at least five tenants in pages of two: " + pages);
            assertTrue(all.containsAll(List.of(id, id + "-0", id + "-1", id + "-2")), all.toString());
            assertCode("INVALID_REQUEST", 400, admin.listTenants(5000, null));
            assertCode("INVALID_PAGE_TOKEN", 400, admin.listTenants(2, "not-a-token!"));

            await(admin.deleteTenant(id));
            TributaryException gone = assertCode("TENANT_NOT_FOUND", 404, admin.describeTenant(id));
            assertFalse(gone.retriable());
            assertCode("TENANT_NOT_FOUND", 404, admin.deleteTenant(id));
            assertFalse(await(admin.listTenants()).stream().anyMatch(t -> t.id().equals(id)));
            // Names that would address another path are refused before anything is sent.
            assertLocalCode("INVALID_TENANT_ID", admin.describeTenant(".."));
            assertLocalCode("INVALID_TENANT_ID", admin.deleteTenant(""));
            for (int i = 0; i < 3; i++) {
                await(admin.deleteTenant(id + "-" + i));
            }
        }
    }

    @Test
    void onlyPlatformAdministratorsManageTenants() throws Exception {
        String tenant = support.newTenant("sdk");
        JsonNode tenantAdmin = support.newAccount(tenant, ServiceAccount.TENANT_ADMIN);
        try (TributaryClient client = support.client(tenantAdmin); TributaryClient platform = support.platformAdmin()) {
            Admin admin = client.admin();
            TributaryException e = assertCode("FORBIDDEN", 403, admin.createTenant(tenant + "-x"));
            assertFalse(e.retriable());
            assertCode("FORBIDDEN", 403, admin.listTenants());
            assertCode("FORBIDDEN", 403, admin.describeTenant(tenant));
            assertCode("FORBIDDEN", 403, admin.deleteTenant(tenant));
            // Nothing changed.
            assertEquals(tenant, await(platform.admin().describeTenant(tenant)).id());
            assertCode("TENANT_NOT_FOUND", 404, platform.admin().describeTenant(tenant + "-x"));
        }
    }

    @Test
    void tenantAdministratorManagesServiceAccounts() throws Exception {
        String tenant = support.newTenant("sdk");
        JsonNode creator = support.newAccount(tenant, ServiceAccount.TENANT_ADMIN);
        try (TributaryClient client = support.client(creator)) {
            Admin admin = client.admin();
            Instant before = Instant.now().minusSeconds(5);
            ServiceAccountCredentials ops = await(admin.createServiceAccount("ops", ServiceAccount.TENANT_ADMIN));
            ServiceAccount account = ops.account();
            assertTrue(account.id().matches("sa-[a-z0-9]{20}"), account.id());
            assertEquals(account.id(), ops.clientId());
            assertEquals(tenant, account.tenant());
            assertEquals("ops", account.name());
            assertEquals(ServiceAccount.TENANT_ADMIN, account.role());
            assertFalse(account.createdAt().isBefore(before));
            assertNotNull(ops.clientSecret());
            assertFalse(ops.toString().contains(ops.clientSecret()), "toString hides the secret: " + ops);

            // The secret is real: a client with it authenticates and manages the tenant.
            try (TributaryClient asOps = TributaryClient.connect(support.profile(ops.clientId(), ops.clientSecret()))) {
                assertEquals(tenant, await(asOps.admin().tenant()));
                await(asOps.admin().createTopic(new NewTopic("made-by-ops", 1)));
            }

            ServiceAccountCredentials reader = await(admin.createServiceAccount("reader", ServiceAccount.MEMBER));
            assertEquals(ServiceAccount.MEMBER, reader.account().role());
            ServiceAccount described = await(admin.describeServiceAccount(reader.account().id()));
            assertEquals(reader.account(), described);

            Set<String> expected = Set.of(creator.get("id").asText(), account.id(), reader.account().id());
            List<ServiceAccount> listed = await(admin.listServiceAccounts());
            assertEquals(expected, Set.copyOf(listed.stream().map(ServiceAccount::id).toList()));
            Page<ServiceAccount> first = await(admin.listServiceAccounts(2, null));
            assertEquals(2, first.items().size());
            assertTrue(first.next().isPresent());
            Page<ServiceAccount> second = await(admin.listServiceAccounts(2, first.nextPageToken()));
            assertEquals(1, second.items().size());
            assertNull(second.nextPageToken());
            assertEquals(listed, List.of(first.items().get(0), first.items().get(1), second.items().get(0)));

            assertCode("SERVICE_ACCOUNT_ALREADY_EXISTS", 409, admin.createServiceAccount("ops", ServiceAccount.MEMBER));
            assertCode("INVALID_ROLE", 400, admin.createServiceAccount("boss", "platform-admin"));
            assertCode("INVALID_SERVICE_ACCOUNT_NAME", 400, admin.createServiceAccount("no spaces", ServiceAccount.MEMBER));

            // Rotation: a new secret that works, the old one refused at the token endpoint.
            ServiceAccountCredentials rotated = await(admin.rotateSecret(reader.account().id()));
            assertEquals(reader.account().id(), rotated.clientId());
            assertNotEquals(reader.clientSecret(), rotated.clientSecret());
            assertFalse(rotated.account().secretRotatedAt().isBefore(reader.account().secretRotatedAt()));
            try (TributaryClient stale = TributaryClient.connect(support.profile(reader.clientId(), reader.clientSecret()));
                    TributaryClient fresh = TributaryClient.connect(support.profile(rotated.clientId(), rotated.clientSecret()))) {
                // tenant() reads the tenant from the account's token: it takes a token from the token endpoint.
                TributaryException refused = AdminTestSupport.failure(stale.admin().tenant());
                assertEquals("UNAUTHENTICATED", refused.code(), refused.getMessage());
                assertEquals(tenant, await(fresh.admin().tenant()));
                // A member may not manage service accounts.
                assertCode("FORBIDDEN", 403, fresh.admin().createServiceAccount("sneaky", ServiceAccount.TENANT_ADMIN));
                assertCode("FORBIDDEN", 403, fresh.admin().rotateSecret(account.id()));
                assertCode("FORBIDDEN", 403, fresh.admin().deleteServiceAccount(account.id()));
                assertCode("FORBIDDEN", 403, fresh.admin().listServiceAccounts());
            }

            await(admin.deleteServiceAccount(reader.account().id()));
            assertCode("SERVICE_ACCOUNT_NOT_FOUND", 404, admin.describeServiceAccount(reader.account().id()));
            assertCode("SERVICE_ACCOUNT_NOT_FOUND", 404, admin.deleteServiceAccount(reader.account().id()));
            assertCode("SERVICE_ACCOUNT_NOT_FOUND", 404, admin.rotateSecret(reader.account().id()));
            assertLocalCode("SERVICE_ACCOUNT_NOT_FOUND", admin.describeServiceAccount("."));
            assertEquals(Set.of(creator.get("id").asText(), account.id()),
                    Set.copyOf(await(admin.listServiceAccounts()).stream().map(ServiceAccount::id).toList()));
        }
    }

    @Test
    void forTenantAddressesAnotherTenantOnlyForItsAdministrators() throws Exception {
        String tenant = support.newTenant("sdk");
        String other = support.newTenant("sdk");
        JsonNode otherAdmin = support.newAccount(other, ServiceAccount.TENANT_ADMIN);
        try (TributaryClient platform = support.platformAdmin(); TributaryClient intruder = support.client(otherAdmin)) {
            // A platform administrator belongs to no tenant: it names the one it manages.
            assertLocalCode("INVALID_CONFIG", platform.admin().listServiceAccounts());
            Admin acme = platform.admin().forTenant(tenant);
            assertEquals(tenant, await(acme.tenant()));
            ServiceAccountCredentials created = await(acme.createServiceAccount("bot", ServiceAccount.MEMBER));
            assertEquals(tenant, created.account().tenant());
            assertEquals(List.of(created.account()), await(acme.listServiceAccounts()));
            assertCode("TENANT_NOT_FOUND", 404, platform.admin().forTenant("no-such-tenant").listServiceAccounts());
            assertThrows(TributaryException.class, () -> platform.admin().forTenant(".."));

            // An administrator of another tenant: refused whether the account exists or not, and nothing changes.
            Admin wrong = intruder.admin().forTenant(tenant);
            assertCode("FORBIDDEN", 403, wrong.listServiceAccounts());
            assertCode("FORBIDDEN", 403, wrong.describeServiceAccount(created.account().id()));
            assertCode("FORBIDDEN", 403, wrong.describeServiceAccount("sa-nothing"));
            assertCode("FORBIDDEN", 403, wrong.rotateSecret(created.account().id()));
            assertCode("FORBIDDEN", 403, wrong.deleteServiceAccount(created.account().id()));
            assertCode("FORBIDDEN", 403, wrong.createServiceAccount("planted", ServiceAccount.TENANT_ADMIN));
            assertEquals(List.of(created.account()), await(acme.listServiceAccounts()));
            assertEquals(other, await(intruder.admin().tenant()), "forTenant leaves the original admin client as it was");
        }
    }
}
