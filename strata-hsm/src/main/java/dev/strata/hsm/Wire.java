package dev.strata.hsm;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The building blocks of this module's binary record formats: big-endian fixed-width numbers and
 * strings as a 4-byte length followed by strict UTF-8. The metadata store already checksums every
 * value, so these formats carry a version byte but no checksum of their own.
 */
final class Wire {
    /** Longest string a record may hold; object keys are at most 1024 bytes, errors are cut shorter. */
    static final int MAX_STRING_BYTES = 16 * 1024;

    private Wire() {}

    /** A value that cannot be decoded; the codec adds which record it was. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        private final ByteBuffer scratch = ByteBuffer.allocate(8);

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer i32(int v) {
            out.write(scratch.clear().putInt(v).array(), 0, 4);
            return this;
        }

        Writer i64(long v) {
            out.write(scratch.clear().putLong(v).array(), 0, 8);
            return this;
        }

        Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("string of " + b.length + " bytes exceeds " + MAX_STRING_BYTES);
            }
            i32(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] value) {
            this.in = ByteBuffer.wrap(value);
        }

        int u8() throws Malformed {
            try {
                return in.get() & 0xff;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int i32() throws Malformed {
            try {
                return in.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() throws Malformed {
            try {
                return in.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        String string() throws Malformed {
            int length = i32();
            if (length < 0 || length > MAX_STRING_BYTES) {
                throw new Malformed("string length " + length + " out of range at offset " + (in.position() - 4));
            }
            if (length > in.remaining()) {
                throw truncated();
            }
            ByteBuffer slice = in.slice(in.position(), length);
            in.position(in.position() + length);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(slice);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new Malformed("invalid UTF-8 in a string at offset " + (in.position() - length));
            }
        }

        /** Rejects trailing bytes: a value longer than its format says is as suspect as a short one. */
        void end() throws Malformed {
            if (in.hasRemaining()) {
                throw new Malformed(in.remaining() + " unexpected trailing bytes");
            }
        }

        private Malformed truncated() {
            return new Malformed("truncated after " + in.position() + " of " + in.limit() + " bytes");
        }
    }
}
