package dev.affinity.emulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One HTTP server serving the emulator (Anthropic, OpenAI, Bedrock and Vertex AI routes, admin API) on its event loop. Several instances share the port (Vert.x server sharing)
 * and the {@link EmulatorState}.
 */
final class EmulatorVerticle extends VerticleBase {

  /** The Messages API's request size limit. */
  static final long MAX_BODY_BYTES = 32L * 1024 * 1024;

  private final UpstreamEmulator emulator;
  private final EmulatorState state;
  private final String host;
  private final int port;
  private HttpServer server;

  EmulatorVerticle(UpstreamEmulator emulator, EmulatorState state, String host, int port) {
    this.emulator = emulator;
    this.state = state;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String requestId = AnthropicIds.request();
      ctx.put(AnthropicApi.REQUEST_ID, requestId);
      ctx.response().putHeader("request-id", requestId);
      ctx.next();
    });
    router.route().handler(new RawBody(MAX_BODY_BYTES));
    new AdminApi(emulator).mount(router);
    // Before the Anthropic routes: their /v1/* handlers require anthropic-version, which OpenAI clients never send.
    new OpenAiApi(vertx, state).mount(router);
    new VertexApi(vertx, state).mount(router);
    new GeminiApi(vertx, state).mount(router);
    new AnthropicApi(vertx, state).mount(router);
    new BedrockApi(vertx, state).mount(router);
    router.route().failureHandler(AnthropicApi::answerFailure);
    router.errorHandler(404, ctx -> AnthropicApi.answer(ctx,
        new ApiError(404, "Not found: " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> AnthropicApi.answer(ctx,
        new ApiError(405, "Method not allowed: " + ctx.request().method() + " " + ctx.request().path())));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    return server.requestHandler(router).listen();
  }

  int actualPort() {
    return server.actualPort();
  }
}
