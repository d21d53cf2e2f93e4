package io.kbstream.api.search;

/** One result document: its best chunk's number and a snippet of it. */
public record SearchHit(String id, String title, String snippet, double score, int chunk) {}
