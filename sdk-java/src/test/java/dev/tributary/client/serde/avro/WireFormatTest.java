package dev.tributary.client.serde.avro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    @Test
    void headerIsMagicZeroThenTheIdBigEndian() {
        byte[] framed = WireFormat.frame(0x01020304, new byte[] {9, 8});
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 9, 8}, framed);
        assertEquals(0x01020304, WireFormat.schemaId(framed));
        assertEquals(Integer.MAX_VALUE, WireFormat.schemaId(WireFormat.frame(Integer.MAX_VALUE, new byte[0])));
    }

    @Test
    void refusesPayloadsNotInTheWireFormat() {
        TributaryException shortOne = assertThrows(TributaryException.class, () -> WireFormat.schemaId(new byte[] {0, 0, 0, 1}));
        assertEquals(TributaryException.SERIALIZATION, shortOne.code());
        TributaryException badMagic = assertThrows(TributaryException.class, () -> WireFormat.schemaId(new byte[] {1, 0, 0, 0, 1, 2}));
        assertEquals(TributaryException.SERIALIZATION, badMagic.code());
        assertTrue(badMagic.getMessage().contains("magic byte 1"), badMagic.getMessage());
    }
}
