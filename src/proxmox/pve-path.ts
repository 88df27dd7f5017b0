/**
 * Builds an API path with every interpolated segment percent-encoded, so a node name, a storage
 * id or a UPID (which contains `:` and `@`/`!`) can never change the path's shape. pveproxy
 * URI-unescapes the path before routing, so encoding is always safe.
 *
 *   pvePath`/nodes/${node}/tasks/${upid}/status`
 */
export function pvePath(strings: TemplateStringsArray, ...segments: (string | number)[]): string {
  let path = strings[0] ?? '';
  segments.forEach((segment, i) => {
    path += encodeURIComponent(String(segment)) + (strings[i + 1] ?? '');
  });
  return path;
}
