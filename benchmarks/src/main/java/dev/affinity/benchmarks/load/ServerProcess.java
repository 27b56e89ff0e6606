package dev.affinity.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server the benchmark started (emulator, gateway node, Portkey): its output goes to a log file, it is ready once
 * a given line appears there, and its memory and CPU time are read from {@code /proc} and {@code jcmd}.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");

  final String name;
  final Process process;
  final Path log;
  final String readyLine;

  private ServerProcess(String name, Process process, Path log, String readyLine) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.readyLine = readyLine;
  }

  static ServerProcess start(String name, List<String> command, Path workingDir, Path log, String ready,
      int timeoutSeconds) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    // servers must not outlive an interrupted benchmark (Ctrl-C): they would hold ports and CPU
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop-" + name));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
      }
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.contains(ready)) {
          return new ServerProcess(name, process, log, line.trim());
        }
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new IOException(name + " not ready after " + timeoutSeconds + " s; see " + log);
  }

  long pid() {
    return process.pid();
  }

  /** Resident set size in KB ({@code VmRSS}). */
  long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // gone
    }
    return -1;
  }

  /** User plus system CPU time in milliseconds, from {@code /proc/PID/stat} (clock ticks of 10 ms). */
  long cpuMillis() {
    try {
      return cpuMillisOf(Files.readString(Path.of("/proc", String.valueOf(pid()), "stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** User plus system time of a {@code /proc} {@code stat} line (a process's or a thread's), in milliseconds. */
  private static long cpuMillisOf(String stat) {
    // fields after the command name, which is in parentheses and may hold spaces
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
  }

  /**
   * CPU time in milliseconds of the process's live threads by what it works for ({@link ThreadRole}), from
   * {@code /proc/PID/task/TID/stat} (a thread's name is its first 15 characters there); empty once the process is
   * gone. Threads that ended are not in it: {@link #cpuMillis()} still counts them.
   */
  Map<ThreadRole, Long> cpuMillisByThreadRole() {
    Map<ThreadRole, Long> sums = new EnumMap<>(ThreadRole.class);
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid()), "task"))) {
      for (Path thread : threads) {
        try {
          String stat = Files.readString(thread.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          sums.merge(ThreadRole.of(name), cpuMillisOf(stat), Long::sum);
        } catch (IOException | RuntimeException ended) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException gone) {
      return Map.of();
    }
    return sums;
  }

  /** What a JVM thread works for, told by its name; {@code OTHER} also takes threads of non-JVM servers. */
  enum ThreadRole {
    JIT("jit"), EVENT_LOOPS("event loops"), HAZELCAST("hazelcast"), GC("gc"), OTHER("other");

    final String label;

    ThreadRole(String label) {
      this.label = label;
    }

    static ThreadRole of(String threadName) {
      if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
        return JIT;
      }
      if (threadName.startsWith("vert.x-eventloo")) {
        return EVENT_LOOPS;
      }
      if (threadName.startsWith("hz.")) {
        return HAZELCAST;
      }
      if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
        return GC;
      }
      return OTHER;
    }
  }

  /**
   * Voluntary context switches of all the process's threads, from {@code /proc/PID/task/TID/status}: each a thread
   * that went to wait, so they count the hand-offs between threads; -1 once the process is gone.
   */
  long voluntaryContextSwitches() {
    long sum = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid()), "task"))) {
      for (Path thread : threads) {
        try {
          for (String line : Files.readAllLines(thread.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches")) {
              sum += Long.parseLong(line.replaceAll("\\D", ""));
            }
          }
        } catch (IOException ended) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException gone) {
      return -1;
    }
    return sum;
  }

  /** Java heap {total, used} in KB from {@code jcmd GC.heap_info}; {-1, -1} for a process that is not a JVM. */
  long[] heapKb() {
    String out = jcmd("GC.heap_info");
    Matcher m = HEAP.matcher(out);
    return m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : new long[] {-1, -1};
  }

  /** A full collection ({@code jcmd GC.run}), so that the heap reading after it is the live set. */
  void collect() {
    jcmd("GC.run");
  }

  String jcmd(String command) {
    try {
      Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid()), command).redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
