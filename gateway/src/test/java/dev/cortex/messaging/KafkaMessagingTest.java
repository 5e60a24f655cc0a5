package dev.cortex.messaging;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import kafka.tools.ConsoleProducer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.cortex.CortexServer;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static dev.cortex.messaging.KafkaClient.header;
import static dev.cortex.messaging.KafkaClient.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Request-reply over Kafka against the real gateway and a single-node Kafka (KRaft) in this JVM: requests name
 * their reply topic and correlation id in headers; offsets are committed only once the reply is out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaMessagingTest {

    private static final String REQUESTS = "cortex.requests";
    private static final String REPLIES = "test.replies";
    private static final String DEAD_LETTERS = "cortex.requests.dlq";
    private static final String SHARED_REQUESTS = "shared.requests";

    private static KafkaBroker kafka;
    private static GroqSimulator groq;
    private static OllamaSimulator ollama;
    private static CortexServer cortex;
    private static KafkaClient client;
    private static int sentToRequests;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopics(Map.of(REQUESTS, 4, REPLIES, 2, DEAD_LETTERS, 1, SHARED_REQUESTS, 4, "cortex.replies", 1));
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = JmsMessagingTest.startOllama();
        Map<String, String> settings = new HashMap<>(JmsMessagingTest.settings(groq, ollama));
        settings.putAll(kafkaSettings());
        settings.put("cortex.messaging.max-cooldown-wait-seconds", "10");
        cortex = CortexServer.start(settings);
        client = new KafkaClient(kafka.bootstrap(), List.of(REPLIES, DEAD_LETTERS, "cortex.replies"));
    }

    /** Kafka on, JMS off (JmsMessagingTest covers it); timeouts short enough for a test. */
    private static Map<String, String> kafkaSettings() {
        return Map.of(
                "cortex.kafka.brokers",
                kafka.bootstrap(),
                "cortex.jms.enabled",
                "false",
                "camel.component.kafka.session-timeout-ms",
                "6000",
                "camel.component.kafka.heartbeat-interval-ms",
                "1000",
                "camel.component.kafka.poll-timeout-ms",
                "500",
                "camel.component.kafka.shutdown-timeout",
                "1000",
                "camel.component.kafka.max-block-ms",
                "1000");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cortex != null) {
            cortex.close();
        }
        if (groq != null) {
            groq.close();
        }
        if (ollama != null) {
            ollama.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void resetProviders() {
        groq.reset().fault(Fault.rateLimited(Duration.ofSeconds(1)));
        ollama.reset();
        JmsMessagingTest.answering(ollama);
    }

    @Test
    @Order(1)
    void answersThroughTheChainWithAFallOverAndCarriesTheCorrelationIdBack() throws Exception {
        String id = request("key-1", JmsMessagingTest.chat("Hello over Kafka"), Map.of());
        ConsumerRecord<String, byte[]> reply = client.await(REPLIES, id);

        assertThat(header(reply, "CortexCorrelationId")).isEqualTo(id);
        assertThat(reply.key()).isEqualTo("key-1");
        assertThat(header(reply, "CortexStatus")).isEqualTo("200");
        assertThat(header(reply, "CortexProvider")).isEqualTo("ollama");
        assertThat(header(reply, "CortexModel"))
                .isEqualTo("llama3.2:latest"); // Cortex names Ollama models with their tag
        assertThat(header(reply, "CortexAttempts")).isEqualTo("groq:429,ollama:ok");
        JsonNode body = Json.parse(value(reply));
        assertThat(body.path("choices").path(0).path("message").path("content").asText())
                .isEqualTo("answer to: Hello over Kafka");
        // only Cortex's own headers come back: not the request's reply address, not Camel's or Kafka's internals
        assertThat(header(reply, "CortexReplyTo")).isNull();
        reply.headers().forEach(h -> assertThat(h.key()).startsWith("Cortex"));
    }

    @Test
    @Order(2)
    void aRequestThatCannotBeServedGetsAnErrorReplyAndGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        int calls = ollama.chatCalls();

        String notJson = request("key-2", "{\"messages\": [", Map.of());
        ConsumerRecord<String, byte[]> reply = client.await(REPLIES, notJson);
        assertThat(header(reply, "CortexStatus")).isEqualTo("400");
        assertThat(header(reply, "CortexErrorCode")).isEqualTo("invalid_request");
        assertThat(Json.parse(value(reply)).path("error").path("message").asText())
                .contains("not valid JSON");
        ConsumerRecord<String, byte[]> dead = client.await(DEAD_LETTERS, notJson);
        assertThat(value(dead)).isEqualTo("{\"messages\": [");
        assertThat(dead.key()).isEqualTo("key-2");
        assertThat(header(dead, "CortexError")).contains("not valid JSON");
        assertThat(header(dead, "CortexReplyTo")).isEqualTo(REPLIES);

        String noReplyTo =
                client.send(REQUESTS, null, "key-3", JmsMessagingTest.chat("answer me, somewhere"), Map.of());
        sentToRequests++;
        assertThat(header(client.await(DEAD_LETTERS, noReplyTo), "CortexError")).contains("no CortexReplyTo header");

        String badDeadline = request("key-4", JmsMessagingTest.chat("when?"), Map.of("CortexDeadline", "tomorrow"));
        assertThat(Json.parse(value(client.await(REPLIES, badDeadline)))
                        .path("error")
                        .path("param")
                        .asText())
                .isEqualTo("CortexDeadline");
        client.await(DEAD_LETTERS, badDeadline);

        String badTopic = client.send(
                REQUESTS,
                null,
                "key-5",
                JmsMessagingTest.chat("reply to nowhere"),
                Map.of("CortexReplyTo", "no such topic!"));
        sentToRequests++;
        assertThat(header(client.await(DEAD_LETTERS, badTopic), "CortexError"))
                .contains("not name a valid Kafka topic");

        assertThat(ollama.chatCalls()).isEqualTo(calls);
    }

    @Test
    @Order(2)
    void aRequestWithAKeyCortexDoesNotKnowIsAnswered401AndDeadLetteredWithoutTheKey() throws Exception {
        String unknown = "cortex-not-a-key-kafka-0123456789";
        String id = request("key-6", JmsMessagingTest.chat("a stranger over Kafka"), Map.of("CortexApiKey", unknown));
        ConsumerRecord<String, byte[]> reply = client.await(REPLIES, id);
        assertThat(header(reply, "CortexStatus")).isEqualTo("401");
        assertThat(header(reply, "CortexErrorCode")).isEqualTo("invalid_api_key");
        ConsumerRecord<String, byte[]> dead = client.await(DEAD_LETTERS, id);
        assertThat(header(dead, "CortexStatus")).isEqualTo("401");
        assertThat(value(dead)).isEqualTo(JmsMessagingTest.chat("a stranger over Kafka"));
        for (ConsumerRecord<String, byte[]> out : List.of(reply, dead)) {
            assertThat(header(out, "CortexApiKey")).isNull();
            out.headers().forEach(h -> assertThat(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .doesNotContain(unknown));
            assertThat(value(out)).doesNotContain(unknown);
        }
        assertThat(ollama.chatCalls("a stranger over Kafka")).isZero();
    }

    @Test
    @Order(3)
    void aRequestPastItsDeadlineIsNotSentToAnyProvider() throws Exception {
        int calls = ollama.chatCalls();
        String late = request(
                "key-6",
                JmsMessagingTest.chat("too late"),
                Map.of("CortexDeadline", Long.toString(System.currentTimeMillis() - 1)));
        ConsumerRecord<String, byte[]> reply = client.await(REPLIES, late);
        assertThat(header(reply, "CortexStatus")).isEqualTo("504");
        assertThat(header(reply, "CortexErrorCode")).isEqualTo("deadline_exceeded");
        assertThat(ollama.chatCalls()).isEqualTo(calls);
        assertThat(client.poll(DEAD_LETTERS, late, 200)).isNull();
    }

    @Test
    @Order(4)
    void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        ollama.firstTokenDelay(Duration.ofMillis(300));
        Map<String, String> questions = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) {
            String question = "question #" + i;
            questions.put(
                    client.send(
                            REQUESTS,
                            i % 4,
                            "key-q" + i,
                            JmsMessagingTest.chat(question),
                            Map.of("CortexReplyTo", REPLIES)),
                    question);
            sentToRequests++;
        }
        for (Map.Entry<String, String> q : questions.entrySet()) {
            ConsumerRecord<String, byte[]> reply = client.await(REPLIES, q.getKey());
            assertThat(Json.parse(value(reply))
                            .path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asText())
                    .isEqualTo("answer to: " + q.getValue());
        }
        assertThat(ollama.maxInFlight())
                .as("partitions served at the same time")
                .isGreaterThan(1);
    }

    @Test
    @Order(5)
    void everyRequestsOffsetIsCommittedOnceItIsAnswered() throws Exception {
        awaitCommitted("cortex", REQUESTS, sentToRequests);
    }

    private static void awaitCommitted(String group, String topic, long expected) {
        // a reply can be read a moment before its request's offset is committed, on the consumer's thread, just after
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(committed(group, topic)).isEqualTo(expected));
    }

    @Test
    @Order(8)
    void instancesInOneGroupShareTheTopicAndOneStoppedMidRequestLeavesItToTheOther() throws Exception {
        // two more gateways in their own group on their own topic; each serves a different model, so a reply says which
        try (OllamaSimulator ollama = JmsMessagingTest.startOllama()) {
            ollama.models("model-a:latest", "model-b:latest");
            CortexServer first = CortexServer.start(sharedSettings(ollama, "model-a:latest"));
            CortexServer second = CortexServer.start(sharedSettings(ollama, "model-b:latest"));
            try {
                awaitStableGroup("shared-group", 4);

                Set<String> models = new HashSet<>();
                for (int i = 0; i < 8; i++) {
                    String id = client.send(
                            SHARED_REQUESTS,
                            i % 4,
                            null,
                            chatWithoutModel("shared #" + i),
                            Map.of("CortexReplyTo", REPLIES));
                    models.add(header(client.await(REPLIES, id), "CortexModel"));
                }
                assertThat(models)
                        .as("both instances answered")
                        .containsExactlyInAnyOrder("model-a:latest", "model-b:latest");

                String held = client.send(
                        SHARED_REQUESTS,
                        0,
                        null,
                        chatWithoutModel("please hold this one"),
                        Map.of("CortexReplyTo", REPLIES));
                await().atMost(Duration.ofSeconds(20)).until(() -> ollama.heldCalls() > 0);
                // the eight answered requests are committed; the one taken but held unanswered is not
                awaitCommitted("shared-group", SHARED_REQUESTS, 8);
                boolean firstHolds = ollama.chatCalls("please hold this one") > 0 && servedBy(ollama, "model-a:latest");
                CortexServer holder = firstHolds ? first : second;
                holder.close(); // mid-request
                if (firstHolds) {
                    first = null;
                } else {
                    second = null;
                }

                ConsumerRecord<String, byte[]> reply = client.await(REPLIES, held);
                assertThat(header(reply, "CortexStatus")).isEqualTo("200");
                assertThat(header(reply, "CortexModel")).isEqualTo(firstHolds ? "model-b:latest" : "model-a:latest");
                assertThat(ollama.chatCalls("please hold this one")).isEqualTo(2);
                awaitCommitted("shared-group", SHARED_REQUESTS, 9);
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
    @Order(7)
    void aLineForKafkaConsoleProducerAsTheDocsShowItIsARequest() throws Exception {
        // docs/messaging.md: the line fed to kafka-console-producer.sh --property parse.headers=true
        // --property headers.delimiter='|' (its own LineMessageReader parses it here)
        String line = "CortexReplyTo:cortex.replies,CortexCorrelationId:req-42"
                + "|{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}\n";
        ConsoleProducer.LineMessageReader reader = new ConsoleProducer.LineMessageReader();
        reader.configure(Map.of("topic", REQUESTS, "parse.headers", "true", "headers.delimiter", "|"));
        ProducerRecord<byte[], byte[]> record = reader.readRecords(
                        new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)))
                .next();
        client.send(record);
        sentToRequests++;

        ConsumerRecord<String, byte[]> reply = client.await("cortex.replies", "req-42");
        assertThat(header(reply, "CortexStatus")).isEqualTo("200");
        assertThat(Json.parse(value(reply))
                        .path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asText())
                .isEqualTo("answer to: Say hello");
    }

    @Test
    @Order(9)
    void aReplyThatCannotBeSentSendsTheRequestToTheDeadLetterTopicOnceAndThePartitionMovesOn() throws Exception {
        // the reply topic does not exist, and this broker creates no topic on demand
        String lost = client.send(
                REQUESTS,
                1,
                "key-lost",
                JmsMessagingTest.chat("reply to a missing topic"),
                Map.of("CortexReplyTo", "no.such.replies"));
        String next = client.send(
                REQUESTS, 1, "key-next", JmsMessagingTest.chat("next in line"), Map.of("CortexReplyTo", REPLIES));
        sentToRequests += 2;

        ConsumerRecord<String, byte[]> dead = client.await(DEAD_LETTERS, lost);
        assertThat(header(dead, "CortexError"))
                .contains("could not be delivered")
                .contains("no.such.replies");
        assertThat(header(dead, "CortexErrorCode")).isEqualTo("reply_undeliverable");
        assertThat(header(dead, "CortexStatus")).isEqualTo("502");
        assertThat(header(dead, "CortexReplyTo")).isEqualTo("no.such.replies");
        assertThat(value(dead)).isEqualTo(JmsMessagingTest.chat("reply to a missing topic"));
        assertThat(dead.key()).isEqualTo("key-lost");

        // the request behind it on the same partition is served: the undeliverable one was committed, not read again
        assertThat(header(client.await(REPLIES, next), "CortexStatus")).isEqualTo("200");
        assertThat(ollama.chatCalls("reply to a missing topic")).isEqualTo(1);
        awaitCommitted("cortex", REQUESTS, sentToRequests);
        assertThat(client.poll(DEAD_LETTERS, lost, 200)).as("one dead letter").isNull();
    }

    private static Map<String, String> sharedSettings(OllamaSimulator ollama, String model) {
        Map<String, String> settings = new HashMap<>(kafkaSettings());
        settings.put("provider.ollama.base-url", ollama.baseUrl());
        settings.put("provider.ollama.models", model);
        settings.put("cortex.kafka.request-topic", SHARED_REQUESTS);
        settings.put("cortex.kafka.group-id", "shared-group");
        settings.put("cortex.kafka.consumers", "2");
        return settings;
    }

    private static boolean servedBy(OllamaSimulator ollama, String model) {
        return model.equals(ollama.lastHeldModel());
    }

    private static String chatWithoutModel(String text) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(text) + "}]}";
    }

    private static String request(String key, String body, Map<String, String> headers) throws Exception {
        Map<String, String> all = new HashMap<>(headers);
        all.put("CortexReplyTo", REPLIES);
        sentToRequests++;
        return client.send(REQUESTS, null, key, body, all);
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        }
    }

    private static void awaitStableGroup(String group, int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get(group);
                long assigned = d.members().stream()
                        .filter(m -> !m.assignment().topicPartitions().isEmpty())
                        .count();
                return d.state() == ConsumerGroupState.STABLE && d.members().size() == members && assigned == members;
            });
        }
    }
}
