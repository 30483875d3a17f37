package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the workload program on temporary directories with tiny sizes; no timing is asserted. */
class FsBenchTest {
    @TempDir
    Path tmp;

    @Test
    void runsEveryWorkloadOnEveryTargetAndCleansUp() throws IOException {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        String out = run("--target", "native=" + a, "--target", "other=" + b, "--size", "3m", "--block", "1m",
                "--threads", "2", "--files", "25", "--rounds", "3");

        for (String target : List.of("native", "other")) {
            for (Workload w : Workload.values()) {
                assertThat(out).contains("summary workload=" + w.label + " target=" + target + " ")
                        .contains("n=3 unit=" + w.unit);
            }
        }
        assertThat(out).contains("ratio workload=seq-write target=other baseline=native")
                .contains("ratio workload=md-create target=other baseline=native")
                .contains("warm=true") // no cache dropper in the test
                .contains("md-unlink  ops/s");
        assertThat(out.lines().filter(l -> l.startsWith("sample ")).count())
                .isEqualTo(3L * 2 * Workload.values().length);
        try (Stream<Path> left = Files.list(a); Stream<Path> right = Files.list(b)) {
            assertThat(left).isEmpty();
            assertThat(right).isEmpty();
        }
    }

    @Test
    void aFileThatIsNotABlockMultipleIsReadBackWhole() throws IOException {
        SequentialIo io = new SequentialIo(8192);
        Path f = tmp.resolve("odd");
        io.write(f, 8192 * 3 + 100);
        assertThat(Files.size(f)).isEqualTo(8192 * 3 + 100);
        io.read(f, 8192 * 3 + 100);
        assertThatThrownBy(() -> io.read(f, 8192 * 4)).isInstanceOf(IOException.class).hasMessageContaining("read");
    }

    @Test
    void readNoticesBlocksInTheWrongPlace() throws IOException {
        SequentialIo io = new SequentialIo(4096);
        Path f = tmp.resolve("swapped");
        io.write(f, 4096 * 2);
        byte[] bytes = Files.readAllBytes(f);
        byte[] swapped = new byte[bytes.length];
        System.arraycopy(bytes, 4096, swapped, 0, 4096);
        System.arraycopy(bytes, 0, swapped, 4096, 4096);
        Files.write(f, swapped);
        assertThatThrownBy(() -> io.read(f, 4096 * 2)).hasMessageContaining("block 0 holds the bytes of block 1");
    }

    @Test
    void everyRoundStartsWithTheNextTarget() {
        Options o = Options.parse(new String[] {"--target", "a=/a", "--target", "b=/b", "--target", "c=/c"});
        FsBench b = new FsBench(o, CacheDropper.NONE, System.out);
        assertThat(b.order(1)).extracting(Options.Target::name).containsExactly("a", "b", "c");
        assertThat(b.order(2)).extracting(Options.Target::name).containsExactly("b", "c", "a");
        assertThat(b.order(4)).extracting(Options.Target::name).containsExactly("a", "b", "c");
    }

    @Test
    void statsAndOptions() {
        Stats s = Stats.of(List.of(3.0, 1.0, 2.0, 10.0));
        assertThat(s.median()).isEqualTo(2.5);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(10.0);
        assertThat(s.spreadPercent()).isEqualTo(360.0);
        assertThat(Options.bytes("--size", "2g")).isEqualTo(2L << 30);
        assertThat(Options.bytes("--size", "4K")).isEqualTo(4096);
        assertThatThrownBy(() -> Options.parse(new String[] {"--size", "1m"}))
                .hasMessageContaining("--target");
        assertThatThrownBy(() -> Options.parse(new String[] {"--target", "x=/tmp", "--size", "lots"}))
                .hasMessageContaining("byte count");
    }

    private static String run(String... args) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new FsBench(Options.parse(args), CacheDropper.NONE, ps).run();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
