package dev.cortex;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.access.KeyRing;

/**
 * Where the HTTP front door listens, and whether it serves callers without a key. As Ollama does, a gateway with no
 * keys listens on loopback only, and says so: it needs nothing to try on a laptop, and nothing on the network can
 * spend the operator's provider keys. Listening further without keys takes an explicit setting, and a warning at
 * every start.
 */
final class FrontDoorBinding {

    private static final Logger LOG = LoggerFactory.getLogger(FrontDoorBinding.class);
    private static final String LOOPBACK = "127.0.0.1";

    private FrontDoorBinding() {}

    /**
     * Settles the listening address before the server starts.
     *
     * @return whether a gateway without keys serves anyone (it listens on loopback, or the operator allowed it)
     */
    static boolean settle(CamelContext context, Settings settings, KeyRing keys) {
        String host = settings.string("camel.server.host");
        int port = settings.integer("camel.server.port");
        boolean allowOpen = Boolean.parseBoolean(settings.string("cortex.http.allow-unauthenticated-network"));
        String where = settings.string("cortex.keys.file");
        if (!keys.isEmpty()) {
            LOG.info(
                    "Gateway keys: {} ({}); every request but GET /api/health needs one. Listening on {}:{}",
                    keys.keys().size(),
                    where,
                    host,
                    port);
            return loopback(host) || allowOpen;
        }
        if (loopback(host)) {
            LOG.info("No gateway keys ({}): listening on {}:{} only, open to every caller there", where, host, port);
            return true;
        }
        if (allowOpen) {
            LOG.warn(
                    "No gateway keys ({}) and listening on {}:{} (cortex.http.allow-unauthenticated-network=true):"
                            + " anyone who can reach this port can spend the providers' keys",
                    where,
                    host,
                    port);
            return true;
        }
        LOG.info(
                "No gateway keys ({}): listening on {}:{} only, not {}. To serve the network, create a key"
                        + " (scripts/cortex-key.sh new --name <name> --admin) and restart",
                where,
                LOOPBACK,
                port,
                host);
        listenOn(context, LOOPBACK);
        return true;
    }

    /** Sets the main HTTP server's address, whether Camel has made the server yet or makes it later. */
    private static void listenOn(CamelContext context, String host) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server != null) {
            server.setHost(host);
            return;
        }
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onServiceAdd(CamelContext ctx, org.apache.camel.Service service, org.apache.camel.Route route) {
                if (service instanceof MainHttpServer main) {
                    main.setHost(host);
                }
            }
        });
    }

    static boolean loopback(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!h.matches("[0-9a-f:.]+")) {
            return false; // a name other than localhost: resolving it here would be a guess
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
