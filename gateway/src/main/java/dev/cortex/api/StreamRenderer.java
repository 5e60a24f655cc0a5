package dev.cortex.api;

import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Usage;

/** Renders one streamed answer in a front door's framing. Stateful per stream; not thread-safe. */
public interface StreamRenderer {

    String contentType();

    /** What goes out at the commit point, before the first text (may be empty). */
    byte[] open(String model);

    byte[] text(String text);

    /**
     * A piece of a tool call ({@link dev.cortex.chat.StreamListener#onToolCall}); a framing that sends calls whole
     * keeps the pieces and sends them with {@link #close}, returning nothing here.
     */
    byte[] toolCall(int index, String id, String name, String argumentsFragment);

    /** The closing events of a complete answer, ending with the API's end marker. */
    byte[] close(FinishReason reason, Usage usage);

    /** An in-band error that ends a broken stream; never followed by an end marker. */
    byte[] error(String code, String message);
}
