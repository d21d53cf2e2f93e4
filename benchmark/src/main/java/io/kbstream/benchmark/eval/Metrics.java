package io.kbstream.benchmark.eval;

/**
 * Mean retrieval metrics over the judged queries of a split.
 *
 * @param ndcg10 mean nDCG@10 (graded gains, log2 discount, ideal DCG from the judged documents)
 * @param recall100 mean Recall@100: relevant documents in the top 100 / relevant documents
 * @param mrr10 mean reciprocal rank of the first relevant document within the top 10 (0 if none)
 * @param queries how many judged queries the means are over
 */
public record Metrics(double ndcg10, double recall100, double mrr10, int queries) {}
