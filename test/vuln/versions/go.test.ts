import { goVersions } from '../../../src/vuln/versions/go.js';
import { testChainTable } from './chain-table.js';

testChainTable('go', goVersions);
