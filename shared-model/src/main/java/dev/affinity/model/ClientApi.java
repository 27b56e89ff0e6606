package dev.affinity.model;

/** The API family a client speaks, and so the shape of every answer and error it gets. */
public enum ClientApi { ANTHROPIC, OPENAI }
