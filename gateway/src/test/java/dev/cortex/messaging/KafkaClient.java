package dev.cortex.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A plain Kafka client, as a caller of Cortex would write one: it sends requests with {@code CortexReplyTo} and
 * {@code CortexCorrelationId} headers, and reads the reply and dead-letter topics in the background, matching
 * records to requests by their {@code CortexCorrelationId}.
 */
final class KafkaClient implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread poller;
    private final Map<String, BlockingQueue<ConsumerRecord<String, byte[]>>> received = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    KafkaClient(String bootstrap, List<String> readTopics) {
        producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new ByteArraySerializer());
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "test-client-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(readTopics);
        poller = new Thread(this::poll, "test-kafka-client");
        poller.setDaemon(true);
        poller.start();
    }

    /** Sends a request; returns its correlation id. Headers with a null value are left out. */
    String send(String topic, Integer partition, String key, String body, Map<String, String> headers)
            throws Exception {
        String id = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topic, partition, key, body.getBytes(StandardCharsets.UTF_8));
        record.headers().add(MessagingHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, value) -> {
            if (value != null) {
                record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
            }
        });
        producer.send(record).get(10, TimeUnit.SECONDS);
        return id;
    }

    /** Sends a record as it is (key and value as bytes). */
    void send(ProducerRecord<byte[], byte[]> record) throws Exception {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(record.topic(), record.partition(), key, record.value(), record.headers()))
                .get(10, TimeUnit.SECONDS);
    }

    /** The record on {@code topic} carrying correlation id {@code id}. */
    ConsumerRecord<String, byte[]> await(String topic, String id) throws InterruptedException {
        ConsumerRecord<String, byte[]> record = queue(topic, id).poll(30, TimeUnit.SECONDS);
        if (record == null) {
            throw new AssertionError("no record on " + topic + " for " + id);
        }
        return record;
    }

    /** Null unless a record for {@code id} arrives on {@code topic} within {@code millis}. */
    ConsumerRecord<String, byte[]> poll(String topic, String id, long millis) throws InterruptedException {
        return queue(topic, id).poll(millis, TimeUnit.MILLISECONDS);
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String value(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private BlockingQueue<ConsumerRecord<String, byte[]>> queue(String topic, String id) {
        return received.computeIfAbsent(topic + "/" + id, k -> new LinkedBlockingQueue<>());
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    String id = header(record, MessagingHeaders.CORRELATION_ID);
                    queue(record.topic(), id).add(record);
                }
            }
        } catch (WakeupException stop) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        poller.join(5_000);
        producer.close(Duration.ofSeconds(2));
    }
}
