package io.kbstream.benchmark.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generator's HTTP/1.1 client: at most {@code connections} keep-alive connections per
 * server, all driven by one Netty event loop, each carrying one request at a time. A request that
 * finds every connection busy waits in a FIFO queue, and its latency keeps running from its
 * scheduled time, as it would for a real client.
 *
 * <p>Why not the JDK {@code HttpClient}: it opens a new connection for every request in flight, so
 * an open-loop burst on 2 shared cores turned into thousands of TCP handshakes and the generator
 * held 76 requests/s against an endpoint {@code wrk} drove at 9,468/s in the same run
 * (benchmark/README.md). A fixed pool of connections on one event loop is how {@code wrk} itself
 * works, and is cheap enough to leave the cores to the server.
 */
public final class PooledHttpClient implements AutoCloseable {

    /** One request: the bearer key and content type are the only headers the API needs. */
    public record Request(
            String method, URI uri, String bearerKey, String contentType, byte[] body) {
        public static Request get(URI uri, String bearerKey) {
            return new Request("GET", uri, bearerKey, null, new byte[0]);
        }
    }

    /** An answer with its status and body, and the request it answers. */
    public record Response(Request request, int status, String body) {}

    private static final AttributeKey<Pending> IN_FLIGHT = AttributeKey.valueOf("kb.inFlight");
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private final EventLoopGroup group = new NioEventLoopGroup(1, daemonThreads());
    private final EventLoop loop = group.next();
    private final int connections;
    private final Duration timeout;
    // touched only on the event loop's thread
    private final Map<String, Server> servers = new HashMap<>();

    public PooledHttpClient(int connections, Duration timeout) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1");
        }
        this.connections = connections;
        this.timeout = timeout;
    }

    /** Sends {@code request} when a connection to its server is free; never blocks the caller. */
    public CompletableFuture<Response> send(Request request) {
        Pending pending = new Pending(request, new CompletableFuture<>());
        loop.execute(() -> server(request.uri()).dispatch(pending));
        return pending.answer;
    }

    private Server server(URI uri) {
        String authority = uri.getHost() + ":" + port(uri);
        return servers.computeIfAbsent(authority, a -> new Server(uri.getHost(), port(uri)));
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }

    private record Pending(Request request, CompletableFuture<Response> answer) {}

    /** The connections to one server: idle ones, how many are open, and the requests waiting. */
    private final class Server {
        final Bootstrap bootstrap;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        int open;

        Server(String host, int port) {
            bootstrap =
                    new Bootstrap()
                            .group(loop)
                            .channel(NioSocketChannel.class)
                            .option(ChannelOption.TCP_NODELAY, true)
                            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                            .remoteAddress(host, port)
                            .handler(
                                    new ChannelInitializer<SocketChannel>() {
                                        @Override
                                        protected void initChannel(SocketChannel ch) {
                                            ch.pipeline()
                                                    .addLast(new HttpClientCodec())
                                                    .addLast(
                                                            new HttpObjectAggregator(
                                                                    MAX_RESPONSE_BYTES))
                                                    .addLast(new Answers(Server.this));
                                        }
                                    });
        }

        void dispatch(Pending pending) {
            Channel channel;
            while ((channel = idle.poll()) != null) {
                if (channel.isActive()) {
                    write(channel, pending);
                    return;
                }
            }
            if (open < connections) {
                connect(pending);
            } else {
                waiting.add(pending);
            }
        }

        void connect(Pending first) {
            open++;
            bootstrap
                    .connect()
                    .addListener(
                            f -> {
                                if (f.isSuccess()) {
                                    Channel channel =
                                            ((io.netty.channel.ChannelFuture) f).channel();
                                    write(channel, first);
                                } else {
                                    open--;
                                    first.answer.completeExceptionally(f.cause());
                                    next();
                                }
                            });
        }

        void write(Channel channel, Pending pending) {
            Request r = pending.request;
            String target =
                    r.uri().getRawPath()
                            + (r.uri().getRawQuery() == null ? "" : "?" + r.uri().getRawQuery());
            FullHttpRequest request =
                    new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1,
                            HttpMethod.valueOf(r.method()),
                            target,
                            Unpooled.wrappedBuffer(r.body()));
            request.headers()
                    .set(HttpHeaderNames.HOST, r.uri().getHost() + ":" + port(r.uri()))
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
            if (r.bearerKey() != null) {
                request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + r.bearerKey());
            }
            if (r.contentType() != null) {
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            }
            ScheduledFuture<?> timer =
                    loop.schedule(
                            () -> {
                                // the connection is out of step with its answers now: drop it
                                if (pending.answer.completeExceptionally(
                                        new TimeoutException("no answer in " + timeout))) {
                                    channel.close();
                                }
                            },
                            timeout.toMillis(),
                            TimeUnit.MILLISECONDS);
            pending.answer.whenComplete((resp, err) -> timer.cancel(false));
            channel.attr(IN_FLIGHT).set(pending);
            channel.writeAndFlush(request)
                    .addListener(
                            f -> {
                                if (!f.isSuccess()) {
                                    pending.answer.completeExceptionally(f.cause());
                                    channel.close();
                                }
                            });
        }

        /** A connection is free again: it takes the next waiting request or goes idle. */
        void release(Channel channel) {
            Pending next = waiting.poll();
            if (next != null) {
                write(channel, next);
            } else {
                idle.add(channel);
            }
        }

        /** A connection closed: a waiting request, if any, gets a new one. */
        void closed(Channel channel) {
            open--;
            idle.remove(channel);
            next();
        }

        private void next() {
            Pending next = waiting.poll();
            if (next != null) {
                dispatch(next);
            }
        }
    }

    /** Completes each connection's request in flight with its answer, or with the failure. */
    private static final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Server server;

        Answers(Server server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Pending pending = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
            if (pending == null) {
                return;
            }
            pending.answer.complete(
                    new Response(
                            pending.request,
                            response.status().code(),
                            response.content().toString(StandardCharsets.UTF_8)));
            if (HttpUtil.isKeepAlive(response) && ctx.channel().isActive()) {
                server.release(ctx.channel());
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Pending pending = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
            if (pending != null) {
                pending.answer.completeExceptionally(
                        new IOException("connection closed before the answer"));
            }
            server.closed(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Pending pending = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
            if (pending != null) {
                pending.answer.completeExceptionally(cause);
            }
            ctx.close();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        return r -> {
            Thread t = new Thread(r, "load-http");
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
