package dev.cortex;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import dev.cortex.access.GatewayAccess;
import dev.cortex.api.BoundedJsonReader;
import dev.cortex.api.ChatApi;
import dev.cortex.messaging.DeadLetter;
import dev.cortex.messaging.EmbeddedBroker;
import dev.cortex.messaging.KafkaCommit;
import dev.cortex.messaging.MessagingChat;
import dev.cortex.messaging.MessagingErrorReply;
import dev.cortex.messaging.MessagingFailure;
import dev.cortex.messaging.MessagingReply;
import dev.cortex.messaging.MessagingRequest;
import dev.cortex.messaging.ReplySender;
import dev.cortex.messaging.Transport;
import dev.cortex.provider.ProviderRegistry;

/** Wires what routes/messaging.camel.yaml refers to by name. */
final class MessagingWiring {

    private MessagingWiring() {}

    /**
     * The messaging front doors (routes/messaging.camel.yaml): the steps of the JMS and Kafka routes, and the JMS
     * connection factory — to the embedded Artemis broker, started here, unless {@code JMS_URL} names another one.
     *
     * @param access who a request's gateway key ({@code CortexApiKey}) belongs to
     * @param openAi the OpenAI door's parsing, shared with HTTP (the same image settings)
     */
    static void wire(
            CamelContext context,
            Settings s,
            ProviderRegistry providers,
            BoundedJsonReader json,
            GatewayAccess access,
            ChatApi openAi)
            throws Exception {
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        Map<String, Duration> providerWorstCase = new HashMap<>();
        providers
                .all()
                .forEach(p ->
                        providerWorstCase.put(p.name(), p.settings().timeouts().total()));
        Duration maxWait = s.seconds("cortex.messaging.max-cooldown-wait-seconds");
        Duration lastResortWait = s.millis("cortex.bulkhead.last-resort-wait-ms");
        registry.bind(
                "jmsChat",
                new MessagingChat(
                        context, new MessagingChat.Budget(maxWait, null, providerWorstCase, lastResortWait), clock));
        // a Kafka consumer that keeps one request past its poll interval is dropped from the group
        Duration kafkaConsumerLimit =
                s.millis("cortex.kafka.max-poll-interval-ms").minus(s.millis("cortex.kafka.poll-interval-margin-ms"));
        registry.bind(
                "kafkaChat",
                new MessagingChat(
                        context,
                        new MessagingChat.Budget(maxWait, kafkaConsumerLimit, providerWorstCase, lastResortWait),
                        clock));
        registry.bind("messagingFailure", new MessagingFailure(clock));
        int replyAttempts = s.integer("cortex.messaging.reply-attempts");
        boolean keysRequired = Boolean.parseBoolean(s.string("cortex.messaging.keys-required"));
        Duration replyAttemptInterval = s.millis("cortex.messaging.reply-attempt-interval-ms");
        for (Transport transport : Transport.values()) {
            String prefix = transport == Transport.JMS ? "jms" : "kafka";
            registry.bind(
                    prefix + "Request", new MessagingRequest(transport, openAi, json, clock, access, keysRequired));
            registry.bind(prefix + "Reply", new MessagingReply(transport, openAi));
            registry.bind(prefix + "ErrorReply", new MessagingErrorReply(transport));
            registry.bind(prefix + "DeadLetter", new DeadLetter(transport, clock));
            // the endpoint's own destination is never used: each reply names its JMSReplyTo / CortexReplyTo
            String replyEndpoint = transport == Transport.JMS ? "jms:queue:cortex-reply" : "kafka:cortex-reply";
            registry.bind(
                    prefix + "ReplySender",
                    new ReplySender(context, transport, replyEndpoint, replyAttempts, replyAttemptInterval));
        }
        registry.bind("kafkaCommit", new KafkaCommit());

        String url = s.string("cortex.jms.url");
        ActiveMQConnectionFactory connections;
        if (url.isEmpty()) {
            EmbeddedBroker broker = new EmbeddedBroker(new EmbeddedBroker.Settings(
                    s.string("cortex.jms.broker.host"),
                    s.integer("cortex.jms.broker.port"),
                    Boolean.parseBoolean(s.string("cortex.jms.broker.persistent")),
                    Path.of(s.string("cortex.jms.broker.data-dir")),
                    s.string("cortex.jms.request-queue"),
                    s.string("cortex.jms.dead-letter-queue"),
                    s.integer("cortex.jms.broker.max-delivery-attempts")));
            if (Boolean.parseBoolean(s.string("cortex.jms.enabled"))) {
                // started now, so it is up before the JMS route's consumers; stopped with the context, after them
                broker.start();
                context.addService(broker, true, false);
                registry.bind("jmsBroker", broker);
            }
            connections = new ActiveMQConnectionFactory(broker.inVmUrl());
        } else {
            String user = s.string("cortex.jms.user");
            connections = user.isEmpty()
                    ? new ActiveMQConnectionFactory(url)
                    : new ActiveMQConnectionFactory(url, user, s.string("cortex.jms.password"));
        }
        // 0: a consumer takes a request only when it is free to serve it, so busy instances leave requests to idle ones
        connections.setConsumerWindowSize(s.integer("cortex.jms.consumer-window-size"));
        // a request is JSON text: no Java object is ever deserialized from a message, whoever asks for one
        connections.setDeserializationDenyList("*");
        registry.bind("jmsConnectionFactory", connections);
        context.addService(new Closer(connections), true, false); // closed before the broker stops
    }
}
