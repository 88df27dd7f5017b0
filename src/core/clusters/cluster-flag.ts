// `--cluster NAME` on any command, when the bot drives several clusters (PVE_CLUSTERS_FILE): taken
// off the command text before the grammar reads it, so every command takes it without declaring
// it (the grammar, help and Discord's options stay per command). Names are the clusters file's.
export type ClusterFlag = { ok: true; text: string; cluster?: string } | { ok: false; message: string };

const FLAG = /(^|\s)--cluster(?:=|\s+)(\S+)/;

export function takeClusterFlag(text: string): ClusterFlag {
  const match = FLAG.exec(text);
  if (!match) {
    if (/(^|\s)--cluster(\s*)$/.test(text))
      return { ok: false, message: '--cluster needs a cluster name, e.g. `--cluster lab`' };
    return { ok: true, text };
  }
  const name = match[2]!.replace(/^["'](.*)["']$/, '$1').toLowerCase();
  const rest = `${text.slice(0, match.index)}${match[1]}${text.slice(match.index + match[0].length)}`;
  if (FLAG.test(rest)) return { ok: false, message: '--cluster is given twice: name one cluster' };
  return { ok: true, text: rest.replace(/\s+/g, ' ').trim(), cluster: name };
}
