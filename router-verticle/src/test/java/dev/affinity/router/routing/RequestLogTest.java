package dev.affinity.router.routing;

import dev.affinity.router.LogCapture;
import dev.affinity.router.node.LogLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.affinity.router.TestGateway.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-request line is made and written on the log's own thread, in order. */
class RequestLogTest {

  @Test
  void linesAreFormattedOffTheCallersThreadAndKeepTheirOrder() throws Exception {
    RequestLog log = new RequestLog();
    List<String> formattedOn = new CopyOnWriteArrayList<>();
    try (LogCapture capture = LogCapture.install()) {
      for (int i = 0; i < 100; i++) {
        int n = i;
        log.write(() -> {
          formattedOn.add(Thread.currentThread().getName());
          return new LogLine().with("request", "line-" + n);
        });
      }
      List<String> lines = eventually(() -> capture.lines().stream().filter(l -> l.contains("request=line-"))
          .toList(), written -> written.size() == 100);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("request=line-" + i);
      }
      assertThat(lines.stream().map(l -> l.substring(l.indexOf("request=")).trim()).toList()).isEqualTo(expected);
      assertThat(formattedOn).hasSize(100).containsOnly("affinity-request-log");
    } finally {
      log.close();
    }
  }
}
