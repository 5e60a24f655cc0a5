package dev.cortex;

import org.apache.camel.support.service.ServiceSupport;

/** Closes a resource when Camel stops (added as a service, so it closes in reverse order of adding). */
final class Closer extends ServiceSupport {

    private final AutoCloseable resource;

    Closer(AutoCloseable resource) {
        this.resource = resource;
    }

    @Override
    protected void doStop() throws Exception {
        resource.close();
    }
}
