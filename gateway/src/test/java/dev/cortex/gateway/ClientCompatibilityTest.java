package dev.cortex.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/** The front doors as real clients use them: openai-java, LangChain4j's OpenAI models, ollama4j. */
class ClientCompatibilityTest {

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key", "gsk_test_client_key_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "provider.ollama.base-url", ollama.baseUrl()));
    }

    @BeforeEach
    void answers() {
        groq.reset();
        ollama.reset();
        // each provider its own words, so every assertion on the text also says who answered
        groq.reply("The quick brown fox jumps");
        ollama.reply("A lazy dog sleeps late"); // a request naming llama3.2 goes to Ollama, which serves it
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .maxRetries(0)
                .build();
    }

    @Test
    void openAiJavaNonStreaming() {
        ChatCompletion completion = openAi().chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("llama-3.1-8b-instant")
                        .addSystemMessage("Be brief.")
                        .addUserMessage("Say something")
                        .build());
        assertThat(completion.choices().get(0).message().content()).contains("The quick brown fox jumps");
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
    }

    @Test
    void openAiJavaStreamingWithUsage() {
        List<String> pieces = new ArrayList<>();
        long[] completionTokens = {-1};
        try (StreamResponse<ChatCompletionChunk> stream = openAi().chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("llama-3.1-8b-instant")
                        .addUserMessage("Say something")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(pieces::add));
                chunk.usage().ifPresent(u -> completionTokens[0] = u.completionTokens());
            });
        }
        assertThat(String.join("", pieces)).isEqualTo("The quick brown fox jumps");
        assertThat(pieces.size()).isGreaterThan(1);
        assertThat(completionTokens[0]).isEqualTo(5);
    }

    @Test
    void langChain4jChatModel() {
        OpenAiChatModel model = OpenAiChatModel.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .modelName("llama-3.1-8b-instant")
                .maxRetries(0)
                .build();
        assertThat(model.chat("Say something")).isEqualTo("The quick brown fox jumps");
    }

    @Test
    void langChain4jStreamingChatModel() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .modelName("llama-3.1-8b-instant")
                .build();
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Say something", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertThat(String.join("", partials)).isEqualTo("The quick brown fox jumps");
        assertThat(response.aiMessage().text()).isEqualTo("The quick brown fox jumps");
    }

    @Test
    void ollama4jWithCortexAsItsHost() throws Exception {
        Ollama client = new Ollama(cortex.url(""));
        client.setRequestTimeoutSeconds(30);
        OllamaChatResult result = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withMessage(OllamaChatMessageRole.USER, "Say something")
                        .build(),
                null);
        assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo("A lazy dog sleeps late");
        assertThat(groq.chatCalls()).isZero();
    }

    @Test
    void ollama4jStreaming() throws Exception {
        Ollama client = new Ollama(cortex.url(""));
        client.setRequestTimeoutSeconds(30);
        List<String> tokens = new ArrayList<>();
        OllamaChatResult result = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withStreaming()
                        .withMessage(OllamaChatMessageRole.USER, "Say something")
                        .build(),
                token -> tokens.add(token.getMessage().getResponse()));
        assertThat(String.join("", tokens)).isEqualTo("A lazy dog sleeps late");
        assertThat(tokens.size()).isGreaterThan(1);
        assertThat(result.getResponseModel().isDone()).isTrue();
        assertThat(groq.chatCalls()).isZero();
    }

    @Test
    void ollama4jListsTheModelsOfEveryEnabledProvider() throws Exception {
        Ollama client = new Ollama(cortex.url(""));
        assertThat(client.listModels())
                .extracting(m -> m.getName())
                .contains("llama-3.1-8b-instant", "llama3.2:latest");
    }
}
