import { pep440Versions } from '../../../src/vuln/versions/pep440.js';
import { testChainTable } from './chain-table.js';

testChainTable('pep440', pep440Versions);
