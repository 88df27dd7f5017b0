// PVE task types (the UPID's type field) in words, for the digest's lines.

const WORDS: Record<string, string> = {
  qmstart: 'start',
  qmstop: 'stop',
  qmshutdown: 'shutdown',
  qmreboot: 'reboot',
  qmreset: 'reset',
  qmsuspend: 'suspend',
  qmresume: 'resume',
  qmigrate: 'migration',
  qmclone: 'clone',
  qmcreate: 'creation',
  qmdestroy: 'removal',
  qmrestore: 'restore',
  qmsnapshot: 'snapshot',
  qmdelsnapshot: 'snapshot removal',
  qmrollback: 'rollback',
  qmmove: 'disk move',
  qmtemplate: 'template conversion',
  vzstart: 'start',
  vzstop: 'stop',
  vzshutdown: 'shutdown',
  vzreboot: 'reboot',
  vzmigrate: 'migration',
  vzclone: 'clone',
  vzcreate: 'creation',
  vzdestroy: 'removal',
  vzrestore: 'restore',
  vzsnapshot: 'snapshot',
  vzdump: 'backup',
  hastart: 'HA start',
  hastop: 'HA stop',
  hamigrate: 'HA migration',
  harelocate: 'HA relocation',
  aptupdate: 'apt-get update',
  startall: 'start of all guests',
  stopall: 'stop of all guests',
  migrateall: 'migration of all guests',
  imgcopy: 'image copy',
  download: 'download',
  srvreload: 'service reload',
  srvrestart: 'service restart',
};

/** `backup of db01 (102)`, `apt-get update`; unknown types as PVE names them. */
export function taskWords(type: string, subject: string | undefined): string {
  const words = WORDS[type] ?? `${type} task`;
  return subject ? `${words} of ${subject}` : words;
}
