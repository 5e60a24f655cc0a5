package dev.cortex.messaging;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.remoting.Acceptor;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ActiveMQ Artemis broker Cortex runs inside itself when no {@code JMS_URL} names an external one, so the
 * default set-up needs no server. Cortex reaches it in-process; outside JMS clients connect to its TCP acceptor
 * ({@code cortex.jms.broker.host}:{@code port}, loopback by default: it has no authentication). Messages are
 * persisted in a journal under {@code cortex.jms.broker.data-dir}, so requests waiting in the queue survive a
 * restart. A request that failed {@code max-delivery-attempts} times goes to the dead-letter queue.
 *
 * <p>A Camel service: it starts and stops with the Camel context, after the routes that use it have stopped.
 */
public final class EmbeddedBroker extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** In-VM acceptor ids; several brokers may share a JVM (tests run several gateways). */
    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * @param persistent whether messages survive a restart (a journal under {@code dataDir})
     */
    public record Settings(
            String host,
            int port,
            boolean persistent,
            Path dataDir,
            String requestQueue,
            String deadLetterQueue,
            int maxDeliveryAttempts) {}

    private final Settings settings;
    private final int inVmId = IDS.getAndIncrement();
    private EmbeddedActiveMQ broker;

    public EmbeddedBroker(Settings settings) {
        this.settings = settings;
    }

    /** Where Cortex itself connects: in-process, no socket. */
    public String inVmUrl() {
        return "vm://" + inVmId;
    }

    /** Where outside clients connect. */
    public String tcpUrl() {
        return "tcp://" + settings.host() + ":" + settings.port();
    }

    @Override
    protected void doStart() throws Exception {
        if (broker != null) {
            return;
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(configuration());
        server.start();
        Acceptor tcp = server.getActiveMQServer().getRemotingService().getAcceptor("tcp");
        if (!server.getActiveMQServer().isActive() || tcp == null || !tcp.isStarted()) {
            // Artemis logs a failed acceptor and carries on; a gateway that says it listens must listen
            server.stop();
            throw new IllegalStateException("The embedded JMS broker could not listen on " + tcpUrl()
                    + " (see the log above: is the port taken?). Set JMS_BROKER_PORT to another port, JMS_URL to use"
                    + " an external broker, or JMS_ENABLED=false.");
        }
        broker = server;
        LOG.info(
                "Embedded JMS broker (ActiveMQ Artemis) listening on {}; requests on queue '{}', dead letters on '{}'{}",
                tcpUrl(),
                settings.requestQueue(),
                settings.deadLetterQueue(),
                settings.persistent() ? ", journal in " + settings.dataDir().toAbsolutePath() : ", not persistent");
    }

    @Override
    protected void doStop() throws Exception {
        EmbeddedActiveMQ server = broker;
        broker = null;
        if (server != null) {
            server.stop();
        }
    }

    private Configuration configuration() throws Exception {
        Path data = settings.dataDir();
        SimpleString deadLetters = SimpleString.of(settings.deadLetterQueue());
        Configuration config = new ConfigurationImpl()
                .setName("cortex")
                .setPersistenceEnabled(settings.persistent())
                .setJournalType(JournalType.NIO) // no native library needed
                .setJournalDirectory(data.resolve("journal").toString())
                .setBindingsDirectory(data.resolve("bindings").toString())
                .setPagingDirectory(data.resolve("paging").toString())
                .setLargeMessagesDirectory(data.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(data.toString())
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", inVmUrl())
                .addAcceptorConfiguration("tcp", tcpUrl() + "?protocols=CORE")
                // as a stock Artemis broker.xml: undeliverable and expired messages of any queue go to DLQ /
                // ExpiryQueue
                .addAddressSetting(
                        "#",
                        new AddressSettings()
                                .setDeadLetterAddress(SimpleString.of("DLQ"))
                                .setExpiryAddress(SimpleString.of("ExpiryQueue")))
                .addQueueConfiguration(QueueConfiguration.of("DLQ").setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of("ExpiryQueue").setRoutingType(RoutingType.ANYCAST))
                // Cortex's requests: after max-delivery-attempts failed deliveries, to Cortex's own dead-letter queue
                .addAddressSetting(
                        settings.requestQueue(),
                        new AddressSettings()
                                .setDeadLetterAddress(deadLetters)
                                .setMaxDeliveryAttempts(settings.maxDeliveryAttempts()))
                .addQueueConfiguration(
                        QueueConfiguration.of(settings.requestQueue()).setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(
                        QueueConfiguration.of(settings.deadLetterQueue()).setRoutingType(RoutingType.ANYCAST));
        return config;
    }
}
