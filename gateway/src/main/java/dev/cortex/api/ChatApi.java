package dev.cortex.api;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ChatResult;

/** One front door's wire format (OpenAI or Ollama): requests in, answers, streams, model lists and errors out. */
public interface ChatApi {

    /** The door's name as the status page shows it: {@code openai}, {@code ollama}. */
    String door();

    /** Reads a parsed request body, or throws {@link BadRequestException} naming what is wrong. */
    ChatRequest parse(JsonNode body);

    String resultContentType();

    byte[] renderResult(ChatResult result);

    StreamRenderer newStream(ChatRequest request);

    byte[] renderModels(List<ModelEntry> models);

    ErrorBodies errors();

    /** One model a provider serves; {@code local} when an Ollama server holds its weights. */
    record ModelEntry(String provider, String id, long sizeBytes, boolean local) {}
}
