package dev.strata.it.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The workload's journal of what it did and what is durable, kept on a different file system than
 * the mount (the test's temp dir on ext4), so that killing Strata cannot touch it.
 *
 * <p>One line per record, each appended with a single write(2) of the whole line, so a line is in
 * the kernel before the workload goes on, and the death of the workload tears at most the last
 * line (which readers drop). Because only the Strata process is killed, never the machine, the
 * log needs no fsync. Line formats (paths are relative to the mount root, names have no blanks):
 * <pre>
 *   C id path              intent: create file id at path (O_CREAT|O_EXCL), then set its id xattr
 *   W id offset len seed   intent: pwrite len bytes of SplittableRandom(seed) at offset
 *   T id size              intent: ftruncate to size
 *   S id size crc          ack: fsync/fdatasync of id returned; its content is size bytes with CRC32C crc
 *   K path                 intent: mkdir
 *   R id from to           intent: rename(from, to) of file id
 *   L id from to           intent: link(from, to) of file id
 *   U id path              intent: unlink(path) of file id
 *   D dir entries          ack: fsync of dir returned; its entries are exactly "name:id,..." ("name:/"
 *                          for a directory, "-" for none)
 * </pre>
 * Intents are written before the call, acks after it returned success. Thread-safe.
 */
final class AckLog implements AutoCloseable {
    private final FileChannel channel;

    AckLog(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    synchronized void line(String text) {
        ByteBuffer b = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            // The log is on the local disk, not on the mount: failing here is a broken test machine.
            throw new java.io.UncheckedIOException("cannot append to the acknowledgement log", e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
