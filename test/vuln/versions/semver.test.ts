import { semverVersions } from '../../../src/vuln/versions/semver.js';
import { testChainTable } from './chain-table.js';

testChainTable('semver', semverVersions);
