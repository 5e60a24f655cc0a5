package dev.cortex.messaging;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits a Kafka request's offset: the last step, after its reply (or dead letter) was sent. Until then the
 * request stays uncommitted, so a Cortex that stops or dies mid-request leaves it to another member of the group.
 */
public final class KafkaCommit implements Processor {

    @Override
    public void process(Exchange exchange) {
        KafkaManualCommit commit = exchange.getProperty(MessagingProperties.COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
