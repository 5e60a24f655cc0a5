package dev.cortex.messaging;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.ProcessDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.TestKeys;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Request-reply over JMS against the real gateway and its embedded Artemis broker, with a plain JMS client
 * connected to the broker's TCP acceptor as an outside application would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JmsMessagingTest {

    private static final String REQUESTS = "cortex.requests";
    private static final String DEAD_LETTERS = "cortex.requests.DLQ";
    /** The queue of a second gateway with gateway keys, on the same broker (see {@link #startKeyed()}). */
    private static final String KEYED_REQUESTS = "cortex.requests.keyed";

    private static GroqSimulator groq;
    private static OllamaSimulator ollama;
    private static CortexServer cortex;
    private static Connection client;
    private static Session session;
    private static Queue replies;
    private static CortexServer keyed;
    private static Path keysFile;
    private static String admin;

    @BeforeAll
    static void start() throws JMSException {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = startOllama();
        Map<String, String> settings = new HashMap<>(settings(groq, ollama));
        // time for a wait and a next round at its worst: 5 s for each simulated provider, 10 s for a last-resort slot
        settings.put("cortex.messaging.max-cooldown-wait-seconds", "30");
        cortex = CortexServer.start(settings);
        client = new ActiveMQConnectionFactory(brokerUrl()).createConnection();
        client.start();
        session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
        replies = session.createQueue("test.replies");
        startKeyed();
    }

    /**
     * A second gateway on this broker, as an instance with JMS_URL set would be, with gateway keys and
     * {@code cortex.messaging.keys-required}: every request on its queue must carry a key. Ollama answers.
     */
    private static void startKeyed() {
        try {
            keysFile = Files.createTempDirectory("cortex-jms-keys").resolve("keys.yaml");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        admin = TestKeys.create(keysFile, "--name", "ops", "--admin");
        keyed = CortexServer.start(Map.of(
                "cortex.jms.url",
                brokerUrl(),
                "cortex.jms.request-queue",
                KEYED_REQUESTS,
                "cortex.keys.file",
                keysFile.toString(),
                "cortex.messaging.keys-required",
                "true",
                "provider.ollama.base-url",
                ollama.baseUrl()));
    }

    @AfterAll
    static void stop() throws JMSException {
        if (keyed != null) {
            keyed.close();
        }
        if (client != null) {
            client.close();
        }
        if (cortex != null) {
            cortex.close();
        }
        groq.close();
        ollama.close();
    }

    @BeforeEach
    void resetProviders() {
        groq.reset().fault(Fault.rateLimited(Duration.ofSeconds(1)));
        ollama.reset();
        answering(ollama);
    }

    /**
     * Cortex settings: Groq (one key, always 429 with retry-after) first, then Ollama, which answers. Their total
     * timeouts are short, as the simulators answer at once, so that a round of the chain at its worst (what a request
     * waiting for a cooldown must still have time for) is seconds, not minutes.
     */
    static Map<String, String> settings(GroqSimulator groq, OllamaSimulator ollama) {
        return Map.of(
                "provider.ollama.base-url",
                ollama.baseUrl(),
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.groq.api-key",
                "gsk_test_key_1",
                "provider.groq.timeout.total-ms",
                "5000",
                "provider.ollama.timeout.total-ms",
                "5000");
    }

    /**
     * A started Ollama as these tests want it: it answers "answer to: {the last user message}", and holds the first
     * request for each message containing "hold" until released (its redelivery is answered).
     */
    static OllamaSimulator answering(OllamaSimulator ollama) {
        ollama.replyTo(text -> "answer to: " + text).holdOnce("hold");
        return ollama;
    }

    static OllamaSimulator startOllama() {
        return answering((OllamaSimulator) new OllamaSimulator().start());
    }

    private static String brokerUrl() {
        return cortex.bean("jmsBroker", EmbeddedBroker.class).tcpUrl();
    }

    @Test
    @Order(1)
    void answersThroughTheChainWithAFallOverAndKeepsTheCorrelationId() throws Exception {
        String id = send(REQUESTS, chat("Hello over JMS"), Map.of());
        Message reply = receive(replies, id);

        assertThat(reply.getJMSCorrelationID()).isEqualTo(id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
        assertThat(reply.getIntProperty("CortexStatus")).isEqualTo(200);
        assertThat(reply.getStringProperty("CortexProvider")).isEqualTo("ollama");
        assertThat(reply.getStringProperty("CortexModel"))
                .isEqualTo("llama3.2:latest"); // Cortex names Ollama models with their tag
        assertThat(reply.getStringProperty("CortexAttempts")).isEqualTo("groq:429,ollama:ok");
        assertThat(reply.getStringProperty("CortexOverheadMs"))
                .as("Cortex's own time, in milliseconds with sub-millisecond resolution")
                .matches("\\d+\\.\\d{3}");
        JsonNode body = json(reply);
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("choices").path(0).path("message").path("content").asText())
                .isEqualTo("answer to: Hello over JMS");
        assertThat(body.path("usage").path("total_tokens").asInt())
                .as("Ollama's counts: words in, words out")
                .isEqualTo(3 + 5); // "Hello over JMS", "answer to: Hello over JMS"
        assertThat(groq.chatCalls()).isEqualTo(1);
        // no request property comes back, the key least of all
        assertThat(java.util.Collections.list(reply.getPropertyNames()))
                .noneMatch(name -> name.toString().startsWith("Test"))
                .doesNotContain("CortexDeadline");
    }

    @Test
    @Order(2)
    void aRequestThatCannotBeServedGetsAnErrorReplyAndGoesToTheDeadLetterQueueWithTheReason() throws Exception {
        int calls = ollama.chatCalls();

        String notJson = send(REQUESTS, "this is not JSON", Map.of());
        Message reply = receive(replies, notJson);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("400");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("invalid_request");
        assertThat(json(reply).path("error").path("message").asText()).contains("not valid JSON");
        Message dead = receive(session.createQueue(DEAD_LETTERS), notJson);
        assertThat(((TextMessage) dead).getText()).isEqualTo("this is not JSON");
        assertThat(dead.getStringProperty("CortexError")).contains("not valid JSON");
        assertThat(dead.getStringProperty("CortexStatus")).isEqualTo("400");
        assertThat(dead.getStringProperty("CortexReplyTo")).contains("test.replies");

        String streaming =
                send(REQUESTS, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}", Map.of());
        JsonNode error = json(receive(replies, streaming)).path("error");
        assertThat(error.path("param").asText()).isEqualTo("stream");
        assertThat(error.path("message").asText()).contains("not available over JMS");
        assertThat(receive(session.createQueue(DEAD_LETTERS), streaming).getStringProperty("CortexError"))
                .contains("Streaming is not available");

        // no JMSReplyTo: nobody to answer, so nothing is asked of a provider; the request is set aside with the reason
        String nowhere = send(REQUESTS, chat("answer me, somewhere"), Map.of(), null);
        Message unanswerable = receive(session.createQueue(DEAD_LETTERS), nowhere);
        assertThat(unanswerable.getStringProperty("CortexError")).contains("no JMSReplyTo");
        assertThat(((TextMessage) unanswerable).getText()).isEqualTo(chat("answer me, somewhere"));

        assertThat(ollama.chatCalls()).isEqualTo(calls);
    }

    @Test
    @Order(2)
    void aRequestOverTheStructureLimitsGetsAnErrorReplyNamingTheLimit() throws Exception {
        int calls = ollama.chatCalls();
        String message = "{\"role\":\"user\",\"content\":\"hi\"},";
        String body = "{\"messages\":[" + message.repeat(2049) + message.substring(0, message.length() - 1) + "]}";
        String id = send(REQUESTS, body, Map.of());
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("400");
        JsonNode error = json(reply).path("error");
        assertThat(error.path("param").asText()).isEqualTo("messages");
        assertThat(error.path("message").asText()).contains("more than 2048 messages");
        assertThat(receive(session.createQueue(DEAD_LETTERS), id).getStringProperty("CortexError"))
                .contains("more than 2048 messages");
        assertThat(ollama.chatCalls()).isEqualTo(calls);
    }

    @Test
    @Order(3)
    void aRequestPastItsDeadlineIsNotSentToAnyProvider() throws Exception {
        int calls = ollama.chatCalls();
        String late = send(REQUESTS, chat("too late"), Map.of("CortexDeadline", System.currentTimeMillis() - 1_000));
        Message reply = receive(replies, late);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("504");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("deadline_exceeded");
        assertThat(json(reply).path("error").path("message").asText()).contains("not sent to any provider");
        assertThat(ollama.chatCalls()).isEqualTo(calls);
        assertThat(ollama.chatCalls("too late")).isZero();

        String inTime = send(
                REQUESTS,
                chat("in time"),
                Map.of("CortexDeadline", Instant.now().plusSeconds(60).toString()));
        assertThat(receive(replies, inTime).getStringProperty("CortexStatus")).isEqualTo("200");
        // a late request is answered, not dead-lettered: there was nothing wrong with it (a dead letter would have
        // been sent in the transaction that sent its reply, so it would be there by now)
        try (MessageConsumer dead =
                session.createConsumer(session.createQueue(DEAD_LETTERS), "CortexCorrelationId = '" + late + "'")) {
            assertThat(dead.receiveNoWait()).isNull();
        }
    }

    @Test
    @Order(4)
    void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        ollama.firstTokenDelay(Duration.ofMillis(300));
        Map<String, String> questions = new LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            String question = "question #" + i;
            questions.put(send(REQUESTS, chat(question), Map.of()), question);
        }
        long start = System.nanoTime();
        try (MessageConsumer consumer = session.createConsumer(replies)) {
            for (int i = 0; i < questions.size(); i++) {
                Message reply = consumer.receive(20_000);
                assertThat(reply).as("reply %d", i).isNotNull();
                String question = questions.get(reply.getJMSCorrelationID());
                assertThat(question).as("a reply for a request we sent").isNotNull();
                assertThat(json(reply)
                                .path("choices")
                                .path(0)
                                .path("message")
                                .path("content")
                                .asText())
                        .isEqualTo("answer to: " + question);
            }
        }
        assertThat(ollama.maxInFlight()).as("requests served at the same time").isGreaterThan(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(24 * 300));
    }

    @Test
    @Order(5)
    void whenEveryProviderRefusesTheRequestWaitsForTheFirstCooldownAndIsAskedAgain() throws Exception {
        ollama.faultOnce(Fault.status(503)); // Ollama: 503 once; Groq: 429, retry after 1 s
        long start = System.nanoTime();
        String id = send(REQUESTS, chat("patience"), Map.of());
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
        assertThat(reply.getStringProperty("CortexAttempts"))
                .matches("groq:(429|cooling),ollama:503,groq:(429|cooling),ollama:ok");
        assertThat(ollama.chatCalls("patience")).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(200));
    }

    @Test
    @Order(6)
    void aRequestAskedAgainAfterACooldownKeepsTheProvidersItNamed() throws Exception {
        ollama.faultOnce(Fault.status(503)); // Ollama: 503 once; Groq: 429, retry after 1 s
        int groqCalls = groq.chatCalls();
        String id = send(REQUESTS, chat("in my order, please", "\"providers\":[\"ollama\",\"groq\"]"), Map.of());
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
        // the second round asks Ollama first again, as the request said (the default order starts with Groq); Groq may
        // still be cooling from an earlier test when the first round reaches it, and is then passed over unasked
        assertThat(reply.getStringProperty("CortexAttempts")).matches("ollama:503,groq:(429|cooling),ollama:ok");
        assertThat(groq.chatCalls() - groqCalls).isLessThanOrEqualTo(1);
        assertThat(ollama.chatCalls("in my order, please")).isEqualTo(2);
    }

    @Test
    @Order(7)
    void whenEveryProviderRefusesBeyondTheDeadlineTheReplyIsAnErrorWithEachReason() throws Exception {
        ollama.faultNext(100, Fault.status(503));
        groq.fault(Fault.rateLimited(Duration.ofSeconds(30)));
        String id = send(REQUESTS, chat("no luck"), Map.of("CortexDeadline", System.currentTimeMillis() + 2_000));
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("503");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("all_providers_failed");
        assertThat(reply.getStringProperty("CortexAttempts")).endsWith("ollama:503");
        String message = json(reply).path("error").path("message").asText();
        assertThat(message)
                .contains("groq: ")
                .contains("ollama: 503 (upstream_failed)")
                .doesNotContain("gsk_test");
    }

    @Test
    @Order(13)
    void aGatewayStoppedMidRequestLeavesItToTheBrokerAndAnotherInstanceAnswersIt() throws Exception {
        // two more gateways share a queue on this broker, as instances with JMS_URL set would
        String shared = "cortex.requests.shared";
        try (OllamaSimulator ollama = startOllama()) {
            Map<String, String> settings = Map.of(
                    "cortex.jms.url",
                    brokerUrl(),
                    "cortex.jms.request-queue",
                    shared,
                    "provider.ollama.base-url",
                    ollama.baseUrl());
            CortexServer first = CortexServer.start(settings);
            CortexServer second = null;
            try {
                assertThat(first.context().getRegistry().lookupByName("jmsBroker"))
                        .isNull(); // JMS_URL: no broker of its own
                String id = send(shared, chat("please hold this one"), Map.of());
                await("the first gateway took the request")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> ollama.heldCalls() > 0);
                second = CortexServer.start(settings);

                long stopping = System.nanoTime();
                first.close(); // mid-request
                first = null;
                assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(15));

                Message reply = receive(replies, id);
                assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
                assertThat(json(reply)
                                .path("choices")
                                .path(0)
                                .path("message")
                                .path("content")
                                .asText())
                        .isEqualTo("answer to: please hold this one");
                assertThat(ollama.chatCalls("please hold this one")).isEqualTo(2);
            } finally {
                ollama.releaseHeld();
                if (first != null) {
                    first.close();
                }
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    @Test
    @Order(8)
    void aCallerThatGaveUpIsNotAnsweredTwice() throws Exception {
        GaveUp caller = sendAndGiveUp(brokerUrl(), ollama, "please hold, nobody waits for this");
        // The embedded broker lets Cortex's reply re-create the deleted temporary queue (on Cortex's own connection,
        // so the reply goes when that closes): the send succeeds, and the request ends as answered. On a broker that
        // creates no queue on demand the reply fails instead: the next test.
        await().atMost(Duration.ofSeconds(20)).until(() -> messageCount(brokerUrl(), REQUESTS) == 0); // acknowledged
        assertThat(ollama.chatCalls("please hold, nobody waits for this")).isEqualTo(1);
        try (MessageConsumer dead = session.createConsumer(
                session.createQueue(DEAD_LETTERS), "CortexCorrelationId = '" + caller.id() + "'")) {
            assertThat(dead.receiveNoWait())
                    .as("a dead letter")
                    .isNull(); // it would have been sent in the same transaction
        }
    }

    @Test
    @Order(9)
    void onABrokerThatRefusesAVanishedReplyQueueTheRequestEndsThere() throws Exception {
        // a hardened external broker: no queue is created on demand, so a reply to a closed temporary queue fails
        int port = CortexServer.freePort();
        EmbeddedActiveMQ external = hardenedBroker(port);
        try (OllamaSimulator ollama = startOllama();
                LogCapture logs = new LogCapture()) {
            CortexServer gateway = CortexServer.start(
                    Map.of("cortex.jms.url", "tcp://127.0.0.1:" + port, "provider.ollama.base-url", ollama.baseUrl()));
            try {
                String id = sendAndGiveUp("tcp://127.0.0.1:" + port, ollama, "please hold, nobody waits for this")
                        .id();
                // the reply had nowhere to go: the request is done, not delivered again to ask the providers for nobody
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> logs.text().contains("No one waits for the reply to JMS request " + id));
                // the request is acknowledged (the log line comes just before the commit) and not delivered again
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> external.getActiveMQServer()
                                        .locateQueue(REQUESTS)
                                        .getMessageCount()
                                == 0);
                assertThat(ollama.chatCalls("please hold, nobody waits for this"))
                        .isEqualTo(1);
                assertThat(external.getActiveMQServer()
                                .locateQueue(DEAD_LETTERS)
                                .getMessageCount())
                        .isZero();
            } finally {
                gateway.close();
            }
        } finally {
            external.stop();
        }
    }

    /**
     * Messages on a queue of the broker at {@code url}, those being delivered included, as its management API counts
     * them (the embedded broker has no JMX; its management address answers any client, as it has no security).
     */
    @Test
    @Order(14)
    void aKeyedRequestIsHeldToItsKeysLimitsAndOverThemIsAnswered429WithoutAskingAProvider() throws Exception {
        String key = TestKeys.create(keysFile, "--name", "jms-team", "--requests-per-minute", "2");
        for (int i = 1; i <= 2; i++) {
            String id = send(KEYED_REQUESTS, chat("keyed #" + i), Map.of("CortexApiKey", key));
            Message reply = receive(replies, id);
            assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
            assertThat(reply.getStringProperty("CortexRateLimitLimitRequests")).isEqualTo("2");
            assertThat(reply.getStringProperty("CortexRateLimitRemainingRequests"))
                    .isEqualTo(Integer.toString(2 - i));
            assertThat(reply.getStringProperty("CortexRateLimitResetRequests")).isNotBlank();
            assertNoKey(reply, key);
        }

        String over = send(KEYED_REQUESTS, chat("keyed, over the limit"), Map.of("CortexApiKey", key));
        Message reply = receive(replies, over);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("429");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("rate_limit_exceeded");
        assertThat(Long.parseLong(reply.getStringProperty("CortexRetryAfter"))).isBetween(1L, 60L);
        assertThat(reply.getStringProperty("CortexRateLimitLimitRequests")).isEqualTo("2");
        assertThat(reply.getStringProperty("CortexRateLimitRemainingRequests")).isEqualTo("0");
        JsonNode error = json(reply).path("error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("jms-team").doesNotContain(key);
        assertNoKey(reply, key);
        assertThat(ollama.chatCalls("keyed, over the limit")).isZero();
        // answered with its reason, not set aside: sent again after CortexRetryAfter, it is served (the dead letter
        // would have been sent in the transaction that sent the reply, so it would be there by now)
        try (MessageConsumer dead =
                session.createConsumer(session.createQueue(DEAD_LETTERS), "CortexCorrelationId = '" + over + "'")) {
            assertThat(dead.receiveNoWait()).isNull();
        }
    }

    @Test
    @Order(14)
    void anUnknownKeyIsAnswered401AndDeadLetteredWithoutTheKey() throws Exception {
        String unknown = "cortex-not-a-key-0123456789abcdef";
        String id = send(KEYED_REQUESTS, chat("who am I?"), Map.of("CortexApiKey", unknown));
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("401");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("invalid_api_key");
        assertThat(((TextMessage) reply).getText()).doesNotContain(unknown);
        assertNoKey(reply, unknown);

        Message dead = receive(session.createQueue(DEAD_LETTERS), id);
        assertThat(dead.getStringProperty("CortexStatus")).isEqualTo("401");
        assertThat(dead.getStringProperty("CortexError")).contains("Invalid API key");
        assertThat(((TextMessage) dead).getText()).isEqualTo(chat("who am I?"));
        assertNoKey(dead, unknown);
        assertThat(ollama.chatCalls("who am I?")).isZero();
    }

    @Test
    @Order(14)
    void aRequestOutsideItsKeysPolicyIsAnswered403AndDeadLettered() throws Exception {
        String key = TestKeys.create(keysFile, "--name", "jms-short", "--max-tokens", "16");
        String id = send(KEYED_REQUESTS, chat("a long one", "\"max_tokens\":500"), Map.of("CortexApiKey", key));
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("403");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("max_tokens_not_allowed");
        assertNoKey(reply, key);
        Message dead = receive(session.createQueue(DEAD_LETTERS), id);
        assertThat(dead.getStringProperty("CortexError")).contains("at most 16");
        assertNoKey(dead, key);
        assertThat(ollama.chatCalls("a long one")).isZero();

        // within the ceiling the same key is served
        String within = send(KEYED_REQUESTS, chat("a short one"), Map.of("CortexApiKey", key));
        assertThat(receive(replies, within).getStringProperty("CortexStatus")).isEqualTo("200");
    }

    @Test
    @Order(14)
    void withKeysRequiredARequestWithoutAKeyIsAnswered401() throws Exception {
        String id = send(KEYED_REQUESTS, chat("no key at all"), Map.of());
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("401");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("invalid_api_key");
        assertThat(json(reply).path("error").path("message").asText()).contains("CortexApiKey");
        assertThat(ollama.chatCalls("no key at all")).isZero();
    }

    @Test
    @Order(14)
    void aRequestUnderABudgetLimitedKeyIsAccounted() throws Exception {
        String key = TestKeys.create(keysFile, "--name", "jms-budget", "--budget-per-day", "30");
        String id = send(KEYED_REQUESTS, chat("count me"), Map.of("CortexApiKey", key));
        Message reply = receive(replies, id);
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
        assertNoKey(reply, key);

        await("the answer accounted to its key").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var usage = Http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(keyed.url("/api/usage?key=jms-budget")))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + admin)
                            .build());
            assertThat(usage.statusCode()).isEqualTo(200);
            JsonNode row = Json.parse(usage.body()).path("keys").get(0);
            assertThat(row.path("key").asText()).isEqualTo("jms-budget");
            assertThat(row.path("requests").asLong()).isEqualTo(1);
            assertThat(row.path("by_model").findValuesAsText("provider")).contains("ollama");
        });
    }

    /** Neither a property name nor a property value of {@code message} is (or contains) the key. */
    private static void assertNoKey(Message message, String key) throws JMSException {
        for (Object name : java.util.Collections.list(message.getPropertyNames())) {
            assertThat(name.toString()).isNotEqualTo("CortexApiKey");
            assertThat(String.valueOf(message.getObjectProperty(name.toString())))
                    .doesNotContain(key);
        }
    }

    private static long messageCount(String url, String queue) throws Exception {
        try (QueueConnection connection = new ActiveMQConnectionFactory(url).createQueueConnection()) {
            connection.start();
            QueueSession s = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            QueueRequestor management = new QueueRequestor(s, ActiveMQJMSClient.createQueue("activemq.management"));
            Message ask = s.createMessage();
            JMSManagementHelper.putAttribute(ask, ResourceNames.QUEUE + queue, "messageCount");
            return ((Number) JMSManagementHelper.getResult(management.request(ask))).longValue();
        }
    }

    /** A request whose caller gave up: its correlation id, and the name of the temporary queue it closed. */
    private record GaveUp(String id, String replyQueue) {}

    /**
     * Sends a request whose JMSReplyTo is a temporary queue, waits until the provider holds it, then closes the
     * connection (which deletes the temporary queue) before letting the provider answer: the caller gave up.
     */
    private static GaveUp sendAndGiveUp(String url, OllamaSimulator ollama, String text) throws Exception {
        String id = UUID.randomUUID().toString();
        String replyQueue;
        try (Connection impatient = new ActiveMQConnectionFactory(url).createConnection()) {
            Session s = impatient.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage request = s.createTextMessage(chat(text));
            TemporaryQueue replies = s.createTemporaryQueue(); // deleted when this connection closes
            replyQueue = replies.getQueueName();
            request.setJMSReplyTo(replies);
            request.setJMSCorrelationID(id);
            s.createProducer(s.createQueue(REQUESTS)).send(request);
            await("the provider has the request").atMost(Duration.ofSeconds(20)).until(() -> ollama.heldCalls() > 0);
        }
        ollama.releaseHeld();
        return new GaveUp(id, replyQueue);
    }

    @Test
    @Order(10)
    void theHttpFrontDoorAnswersTheSameRequestTheSameWay() throws Exception {
        String id = send(REQUESTS, chat("same chain?"), Map.of());
        JsonNode overJms = json(receive(replies, id));
        var overHttp = Http.post(cortex.url("/v1/chat/completions"), chat("same chain?"));
        assertThat(overHttp.statusCode()).isEqualTo(200);
        JsonNode http = Json.parse(overHttp.body());
        assertThat(http.path("choices")).isEqualTo(overJms.path("choices"));
        assertThat(http.path("usage")).isEqualTo(overJms.path("usage"));
        assertThat(overHttp.headers().firstValue("X-Cortex-Provider")).hasValue("ollama");
    }

    @Test
    @Order(11)
    void aGatewayWhoseBrokerCannotListenDoesNotStart() {
        String port = brokerUrl().substring(brokerUrl().lastIndexOf(':') + 1);
        assertThatThrownBy(() -> CortexServer.start(Map.of("cortex.jms.broker.port", port)))
                .hasStackTraceContaining("could not listen on tcp://127.0.0.1:" + port);
    }

    @Test
    @Order(12)
    void theEmbeddedBrokerKeepsARequestInterruptedByAStopAndTheRestartedGatewayAnswersIt() throws Exception {
        Path journal = Files.createTempDirectory("cortex-journal-");
        String port = Integer.toString(CortexServer.freePort());
        try (OllamaSimulator ollama = startOllama()) {
            Map<String, String> settings = Map.of(
                    "provider.ollama.base-url",
                    ollama.baseUrl(),
                    "cortex.jms.broker.port",
                    port,
                    "cortex.jms.broker.persistent",
                    "true",
                    "cortex.jms.broker.data-dir",
                    journal.toString());
            String url = "tcp://127.0.0.1:" + port;
            CortexServer gateway = CortexServer.start(settings);
            String id;
            try (Connection before = new ActiveMQConnectionFactory(url).createConnection()) {
                Session s = before.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TextMessage request = s.createTextMessage(chat("please hold across a restart"));
                request.setJMSReplyTo(s.createQueue("durable.replies"));
                id = UUID.randomUUID().toString();
                request.setJMSCorrelationID(id);
                s.createProducer(s.createQueue(REQUESTS)).send(request);
                await().atMost(Duration.ofSeconds(20)).until(() -> ollama.heldCalls() > 0);
            } finally {
                gateway.close(); // mid-request: the broker goes down with it
            }

            gateway = CortexServer.start(settings);
            try (Connection after = new ActiveMQConnectionFactory(url).createConnection()) {
                after.start();
                Session s = after.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Message reply = s.createConsumer(s.createQueue("durable.replies"), "JMSCorrelationID = '" + id + "'")
                        .receive(20_000);
                assertThat(reply).as("the reply after the restart").isNotNull();
                assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("200");
                assertThat(ollama.chatCalls("please hold across a restart")).isEqualTo(2);
            } finally {
                ollama.releaseHeld();
                gateway.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(journal)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    @Order(14)
    void anObjectMessageIsNeverDeserializedAndGoesToTheDeadLetterQueueWithTheReason() throws Exception {
        int calls = ollama.chatCalls();
        String id = UUID.randomUUID().toString();
        try (MessageProducer producer = session.createProducer(session.createQueue(REQUESTS))) {
            ObjectMessage request = session.createObjectMessage(new Tripwire()); // serialized here, by the sender
            request.setJMSReplyTo(replies);
            request.setJMSCorrelationID(id);
            producer.send(request);
        }

        Message reply = receive(replies, id);
        assertThat(Tripwire.deserialized)
                .as("the object was deserialized somewhere in Cortex")
                .isFalse();
        assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("400");
        assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("invalid_request");
        assertThat(json(reply).path("error").path("message").asText()).contains("ObjectMessage");
        Message dead = receive(session.createQueue(DEAD_LETTERS), id);
        assertThat(dead.getStringProperty("CortexError"))
                .contains("ObjectMessage")
                .contains("not read");
        assertThat(dead.getStringProperty("CortexStatus")).isEqualTo("400");
        assertThat(dead.getStringProperty("CortexErrorCode")).isEqualTo("invalid_request");
        assertThat(Tripwire.deserialized).isFalse();
        // and should anything ask the client for an object, it refuses to deserialize any class
        assertThat(cortex.bean("jmsConnectionFactory", ActiveMQConnectionFactory.class)
                        .getDeserializationDenyList())
                .isEqualTo("*");
        assertThat(ollama.chatCalls()).isEqualTo(calls);
    }

    @Test
    @Order(15)
    void onABrokerWithoutTheReplyQueueTheRequestGoesToTheDeadLetterQueueOnceAndIsAcknowledged() throws Exception {
        int port = CortexServer.freePort();
        EmbeddedActiveMQ external = hardenedBroker(port);
        try (OllamaSimulator ollama = startOllama();
                Connection caller = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port).createConnection()) {
            CortexServer gateway = CortexServer.start(
                    Map.of("cortex.jms.url", "tcp://127.0.0.1:" + port, "provider.ollama.base-url", ollama.baseUrl()));
            try {
                caller.start();
                Session s = caller.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TextMessage request = s.createTextMessage(chat("reply to a missing queue"));
                // a queue named without asking the broker (as JNDI or ActiveMQJMSClient do), and nobody created it
                request.setJMSReplyTo(ActiveMQJMSClient.createQueue("no.such.replies"));
                String id = UUID.randomUUID().toString();
                request.setJMSCorrelationID(id);
                s.createProducer(s.createQueue(REQUESTS)).send(request);

                Message dead = s.createConsumer(s.createQueue(DEAD_LETTERS), "CortexCorrelationId = '" + id + "'")
                        .receive(20_000);
                assertThat(dead).as("the dead letter").isNotNull();
                assertThat(dead.getStringProperty("CortexError"))
                        .contains("could not be delivered")
                        .contains("no.such.replies");
                assertThat(dead.getStringProperty("CortexErrorCode")).isEqualTo("reply_undeliverable");
                assertThat(dead.getStringProperty("CortexStatus")).isEqualTo("502");
                assertThat(((TextMessage) dead).getText()).isEqualTo(chat("reply to a missing queue"));
                // the dead letter was sent in the request's transaction: now that it is visible, the request is
                // acknowledged
                assertThat(external.getActiveMQServer().locateQueue(REQUESTS).getMessageCount())
                        .isZero();
                assertThat(ollama.chatCalls("reply to a missing queue")).isEqualTo(1);
            } finally {
                gateway.close();
            }
        } finally {
            external.stop();
        }
    }

    @Test
    @Order(16)
    void aRequestWhoseTimeToLivePassedBeforeCortexReadItIsAnswered504AndSentToNoProvider() throws Exception {
        String queue = "cortex.requests.expiring";
        try (OllamaSimulator ollama = startOllama()) {
            CortexServer gateway = CortexServer.start(Map.of(
                    "cortex.jms.url",
                    brokerUrl(),
                    "cortex.jms.request-queue",
                    queue,
                    "provider.ollama.base-url",
                    ollama.baseUrl()));
            try {
                // Artemis never hands over a message that has already expired: the broker moves it to its expiry
                // queue, and the client library drops one that expires on its way. So a request expires "in Cortex's
                // hands" only when its time-to-live runs out between the client's receive and Cortex reading it (a
                // pause of the JVM, a starved CPU). This gateway's route lingers at that point until the request's
                // JMSExpiration has passed: the broker delivers it well within its 3 s, and Cortex reads it late.
                AdviceWith.adviceWith(gateway.context(), "jms-chat-requests", route -> route.weaveByType(
                                ProcessDefinition.class)
                        .selectFirst()
                        .before()
                        .process(exchange -> {
                            long expiration = exchange.getMessage().getHeader("JMSExpiration", 0L, Long.class);
                            await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > expiration);
                        }));
                String id = UUID.randomUUID().toString();
                try (MessageProducer producer = session.createProducer(session.createQueue(queue))) {
                    TextMessage request = session.createTextMessage(chat("expiring"));
                    request.setJMSReplyTo(replies);
                    request.setJMSCorrelationID(id);
                    producer.send(request, DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, 3_000); // time to live
                }

                Message reply = receive(replies, id);
                assertThat(reply.getStringProperty("CortexStatus")).isEqualTo("504");
                assertThat(reply.getStringProperty("CortexErrorCode")).isEqualTo("deadline_exceeded");
                assertThat(json(reply).path("error").path("message").asText()).contains("not sent to any provider");
                assertThat(ollama.chatCalls()).isZero();
            } finally {
                gateway.close();
            }
        }
    }

    /** An external broker as a hardened installation runs it: no queue or address is created on demand. */
    private static EmbeddedActiveMQ hardenedBroker(int port) throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ()
                .setConfiguration(new ConfigurationImpl()
                        .setPersistenceEnabled(false)
                        .setSecurityEnabled(false)
                        .setJMXManagementEnabled(false)
                        .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port)
                        .addAddressSetting(
                                "#",
                                new AddressSettings().setAutoCreateQueues(false).setAutoCreateAddresses(false))
                        .addQueueConfiguration(QueueConfiguration.of(REQUESTS).setRoutingType(RoutingType.ANYCAST))
                        .addQueueConfiguration(
                                QueueConfiguration.of(DEAD_LETTERS).setRoutingType(RoutingType.ANYCAST)));
        broker.start();
        return broker;
    }

    /** A Java object that says when it is deserialized: reading one runs code of the sender's choosing. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean deserialized;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            deserialized = true;
            in.defaultReadObject();
        }
    }

    // --- a plain JMS client ---

    /**
     * A chat request naming no model: it follows the chain's own order, Groq first (a request naming one of Ollama's
     * models would go to Ollama first, once Cortex has read Ollama's model list), and Ollama answers with its default.
     */
    static String chat(String text) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(text) + "}]}";
    }

    /** A chat request with more fields, e.g. {@code "providers":["ollama","groq"]}. */
    static String chat(String text, String fields) {
        return "{" + fields + ",\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(text) + "}]}";
    }

    private static String send(String queue, String body, Map<String, Object> properties) throws JMSException {
        return send(queue, body, properties, replies);
    }

    private static String send(String queue, String body, Map<String, Object> properties, Queue replyTo)
            throws JMSException {
        String id = UUID.randomUUID().toString();
        try (MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            TextMessage message = session.createTextMessage(body);
            message.setJMSCorrelationID(id);
            if (replyTo != null) {
                message.setJMSReplyTo(replyTo);
            }
            for (Map.Entry<String, Object> p : properties.entrySet()) {
                message.setObjectProperty(p.getKey(), p.getValue());
            }
            producer.send(message);
        }
        return id;
    }

    /** The message on {@code queue} for correlation id {@code id}: JMSCorrelationID on replies, CortexCorrelationId on dead letters. */
    private static Message receive(Queue queue, String id) throws JMSException {
        String selector = queue.getQueueName().equals(DEAD_LETTERS)
                ? "CortexCorrelationId = '" + id + "'"
                : "JMSCorrelationID = '" + id + "'";
        try (MessageConsumer consumer = session.createConsumer(queue, selector)) {
            Message message = consumer.receive(20_000);
            assertThat(message)
                    .as("a message on %s for %s", queue.getQueueName(), id)
                    .isNotNull();
            return message;
        }
    }

    private static JsonNode json(Message message) throws Exception {
        return Json.parse(((TextMessage) message).getText());
    }
}
