package dev.tributary.client.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tributary.client.TributaryException;
import org.junit.jupiter.api.Test;

/** The request-building helpers every part of the admin client relies on. */
class RestCallsTest {
    @Test
    void namesBecomeOnePathSegment() {
        assertEquals("orders", RestCalls.pathSegment("orders", "topic name", "INVALID_TOPIC_NAME"));
        assertEquals("a%2Fb%20c%3Areset", RestCalls.pathSegment("a/b c:reset", "group id", "INVALID_GROUP_ID"));
        assertEquals("caf%C3%A9", RestCalls.pathSegment("café", "group id", "INVALID_GROUP_ID"));
        for (String bad : new String[] {null, "", ".", ".."}) {
            TributaryException e = assertThrows(TributaryException.class, () -> RestCalls.pathSegment(bad, "ACL id", "ACL_NOT_FOUND"));
            assertEquals("ACL_NOT_FOUND", e.code());
        }
    }

    @Test
    void etagsAreQuotedForIfMatch() {
        assertNull(RestCalls.quotedEtag(null));
        assertNull(RestCalls.quotedEtag(" "));
        assertEquals("\"abc\"", RestCalls.quotedEtag("abc"));
        assertEquals("\"abc\"", RestCalls.quotedEtag("\"abc\""));
        assertEquals("*", RestCalls.quotedEtag("*"));
        assertEquals("W/\"abc\"", RestCalls.quotedEtag("W/\"abc\""));
    }

    @Test
    void queryValuesAreEncoded() {
        assertEquals("pool%3Aalice%40example.com", RestCalls.queryValue("pool:alice@example.com"));
        assertEquals("*", RestCalls.queryValue("*"));
    }
}
