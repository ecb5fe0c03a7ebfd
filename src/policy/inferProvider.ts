const PREFIXES: [RegExp, string][] = [
  [/^(gpt-|o1|o3|o4|chatgpt|text-|davinci|openai\/)/i, "openai"],
  [/^(claude|anthropic\/)/i, "anthropic"],
  [/^(gemini|palm|google\/)/i, "google"],
  [/^(mistral|mixtral|codestral|mistralai\/)/i, "mistral"],
  [/^(llama|meta-llama\/|meta\/)/i, "meta"],
  [/^(deepseek)/i, "deepseek"],
  [/^(command|cohere\/)/i, "cohere"],
  [/^(grok|x-ai\/)/i, "xai"],
  [/^(qwen)/i, "alibaba"],
];

/** Guesses who serves a model from its name (`gpt-4.1` → openai); undefined when the name says nothing. */
export function inferProvider(model: string): string | undefined {
  const slash = model.indexOf("/");
  if (slash > 0 && !PREFIXES.some(([re]) => re.test(model))) return model.slice(0, slash).toLowerCase();
  for (const [re, provider] of PREFIXES) if (re.test(model)) return provider;
  return undefined;
}
