// A three-layer image whose package changes are known: layer 1 installs three Debian packages, layer 2
// upgrades one and adds another, layer 3 removes one and adds an npm and a Python package.
import type { LayerSpec } from './oci-image.js';

function stanza(name: string, version: string, extra = ''): string {
  return `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: ${name}\n`;
}

const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

export const ATTRIBUTION_LAYERS: LayerSpec[] = [
  {
    createdBy: 'RUN apt-get install -y openssl zlib1g curl',
    files: {
      'etc/os-release': OS,
      'var/lib/dpkg/status': [stanza('openssl', '3.0.11-1~deb12u1'), stanza('zlib1g', '1:1.2.13.dfsg-1', 'Source: zlib\n'), stanza('curl', '7.88.1-10+deb12u4')].join('\n'),
    },
  },
  {
    createdBy: 'RUN apt-get install -y --only-upgrade openssl && apt-get install -y ca-certificates',
    files: {
      'var/lib/dpkg/status': [stanza('openssl', '3.0.13-1~deb12u1'), stanza('zlib1g', '1:1.2.13.dfsg-1', 'Source: zlib\n'), stanza('curl', '7.88.1-10+deb12u4'), stanza('ca-certificates', '20230311')].join('\n'),
    },
  },
  {
    createdBy: 'RUN apt-get purge -y curl && npm install left-pad && pip install requests',
    files: {
      'var/lib/dpkg/status': [stanza('openssl', '3.0.13-1~deb12u1'), stanza('zlib1g', '1:1.2.13.dfsg-1', 'Source: zlib\n'), stanza('ca-certificates', '20230311')].join('\n'),
      'app/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
      'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n',
    },
  },
];

