/**
 * What makes a probe target: the endpoint, the model and the tier's own request headers (as their id,
 * null when the tier sends none). Two tiers that ask the same model of the same endpoint but are routed
 * by different headers are two targets, probed and replayed apart. One key for every reader.
 */
export function targetKey(endpoint: string, model: string, headersId: string | null | undefined): string {
  return headersId ? `${endpoint}\u0000${model}\u0000${headersId}` : `${endpoint}\u0000${model}`;
}
