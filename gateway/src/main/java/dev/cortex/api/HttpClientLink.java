package dev.cortex.api;

import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.http.HttpServerResponse;

import dev.cortex.chat.ClientLink;

/**
 * An HTTP caller's connection: it is gone once its connection closed before its response ended. Vert.x keeps one
 * close handler per response, so this class owns it and passes the news to whichever provider call is in flight.
 */
final class HttpClientLink implements ClientLink {

    private static final Runnable NOTHING = () -> {};

    private final HttpServerResponse response;
    private final AtomicReference<Runnable> onGone = new AtomicReference<>(NOTHING);
    private volatile boolean gone;

    HttpClientLink(HttpServerResponse response) {
        this.response = response;
        response.closeHandler(v -> {
            if (!response.ended()) {
                gone = true;
                onGone.getAndSet(NOTHING).run();
            }
        });
    }

    @Override
    public boolean gone() {
        return gone || (response.closed() && !response.ended());
    }

    @Override
    public void onGone(Runnable action) {
        onGone.set(action);
        if (gone()) {
            onGone.getAndSet(NOTHING).run(); // it left before this call began; run once, whoever gets here first
        }
    }
}
