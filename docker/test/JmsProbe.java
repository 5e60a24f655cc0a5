import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A JMS client for scripts/docker-test.sh, run in another container than Cortex's as an outside application would,
 * with the Artemis client classes of the Cortex jar. The test compiles it on the machine (javac -cp cortex.jar), as a
 * JRE image need not have a compiler for Java's single-file source launch, and mounts the class at /probe:
 *
 * <pre>
 *   java -cp /app/cortex.jar:/probe JmsProbe request URL PROMPT TIMEOUT_S         send, wait for the reply on a temporary queue
 *   java -cp /app/cortex.jar:/probe JmsProbe send URL REPLY_QUEUE ID PROMPT       send only (the reply goes to a named queue)
 *   java -cp /app/cortex.jar:/probe JmsProbe receive URL REPLY_QUEUE ID TIMEOUT_S wait for the reply with that correlation id
 * </pre>
 *
 * A reply prints its CortexStatus, CortexProvider, CortexAttempts and body, and the exit status is 0 only for a
 * CortexStatus of 200; no reply in time exits 3.
 */
public final class JmsProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try (Connection connection = new ActiveMQConnectionFactory(args[1]).createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            switch (mode) {
                case "request" -> {
                    Queue replies = session.createTemporaryQueue();
                    send(session, replies, "probe-" + System.nanoTime(), args[2]);
                    System.exit(report(session.createConsumer(replies).receive(seconds(args[3]))));
                }
                case "send" -> send(session, session.createQueue(args[2]), args[3], args[4]);
                case "receive" -> {
                    String selector = "JMSCorrelationID = '" + args[3].replace("'", "''") + "'";
                    Message reply = session.createConsumer(session.createQueue(args[2]), selector)
                            .receive(seconds(args[4]));
                    System.exit(report(reply));
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode + ": request, send or receive");
            }
        }
    }

    private static void send(Session session, Queue replyTo, String correlationId, String prompt) throws Exception {
        TextMessage request = session.createTextMessage(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt.replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\"}]}");
        request.setJMSReplyTo(replyTo);
        request.setJMSCorrelationID(correlationId);
        session.createProducer(session.createQueue("cortex.requests")).send(request);
        System.out.println("sent " + correlationId);
    }

    private static long seconds(String s) {
        return Long.parseLong(s) * 1000;
    }

    private static int report(Message reply) throws Exception {
        if (reply == null) {
            System.out.println("no reply in time");
            return 3;
        }
        String status = reply.getStringProperty("CortexStatus");
        System.out.println("CortexStatus=" + status + " CortexProvider=" + reply.getStringProperty("CortexProvider")
                + " CortexAttempts=" + reply.getStringProperty("CortexAttempts"));
        System.out.println(reply instanceof TextMessage text ? text.getText() : reply.getBody(String.class));
        return "200".equals(status) ? 0 : 1;
    }
}
