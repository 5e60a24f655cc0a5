package dev.cortex.chat;

/** A complete answer: what a non-streaming caller receives. */
public record ChatResult(String text, FinishReason finishReason, Usage usage, String provider, String model) {}
