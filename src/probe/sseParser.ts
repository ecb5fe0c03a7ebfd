/** Incremental parser for server-sent events: feed text, get the data payload of each complete event. */
export function createSseParser(): { feed(text: string): string[]; flush(): string[] } {
  let buffer = "";
  let data: string[] = [];
  const takeLines = (final: boolean): string[] => {
    const events: string[] = [];
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = final ? "" : (lines.pop() ?? "");
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) events.push(data.join("\n"));
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      // comments (":") and other fields (event:, id:, retry:) carry no payload for chat completions
    }
    return events;
  };
  return {
    feed(text: string) {
      buffer += text;
      return takeLines(false);
    },
    flush() {
      const events = takeLines(true);
      if (data.length > 0) events.push(data.join("\n"));
      data = [];
      return events;
    },
  };
}
