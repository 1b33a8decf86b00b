import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { keyPartition, murmur2 } from './key-partition';

describe('keyPartition', () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const meta = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0 }));
  const theirs = (key: string, n: number) =>
    kafkajs({ topic: 't', partitionMetadata: meta(n) as never, message: { key, value: null } });

  it('matches the Java client reference values of murmur2', () => {
    // Values from org.apache.kafka.common.utils.UtilsTest#testMurmur2.
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('picks the partition kafkajs picks, for any key length, byte and partition count', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'pay_ü€😀', 'payment:eip155:8453:0xabc'];
    for (let i = 0; i < 2000; i++) keys.push(randomBytes(1 + (i % 70)).toString('base64'));
    for (const key of keys) {
      for (const n of [1, 3, 6, 12, 64]) expect(keyPartition(key, n)).toBe(theirs(key, n));
    }
  });
});
