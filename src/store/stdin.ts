/** What `-` among the inputs reads: standard input, named as a path (readers use its descriptor, 0). */
export const STDIN = "/dev/stdin";
