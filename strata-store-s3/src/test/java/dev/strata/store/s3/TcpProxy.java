package dev.strata.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP forwarder in front of the test server that can die like a server does: its
 * listener closes (new connections are refused) and every open connection is reset, either on
 * {@link #kill()} or after a set number of bytes went back to the client, which is a server dying
 * in the middle of a response. It stands in for stopping the S3 process itself, which would cost
 * another 10 to 30 s start of S3Mock for the rest of the suite; the client sees the same thing.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong downstreamBytes = new AtomicLong();
    private volatile long killAfterDownstreamBytes = Long.MAX_VALUE;
    private volatile boolean dead;

    TcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Dies once this many more bytes have gone from the server to the client. */
    void killAfterDownstreamBytes(long bytes) {
        killAfterDownstreamBytes = downstreamBytes.get() + bytes;
    }

    /** Refuses new connections and resets open ones. */
    void kill() {
        dead = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing is all we want.
        }
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0); // RST, as a crashed server's kernel sends
                s.close();
            } catch (IOException ignored) {
                // Already gone.
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void acceptLoop() {
        while (!dead) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5_000);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server, false));
                Thread.ofVirtual().start(() -> pump(server, client, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean downstream) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (downstream) {
                    long total = downstreamBytes.addAndGet(n);
                    if (total >= killAfterDownstreamBytes) {
                        int allowed = (int) Math.max(0, n - (total - killAfterDownstreamBytes));
                        out.write(buffer, 0, allowed);
                        out.flush();
                        kill();
                        return;
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // One side went away; the other is closed by try-with-resources.
        }
    }
}
