import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A complete node of the transparency log's Merkle tree (RFC 9162): the root of the perfect subtree of leaves
 * [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes. Written once by the sequencer, read for proofs.
 */
@Entity('log_node')
export class LogNode {
  @PrimaryColumn({ type: 'int' })
  level!: number;

  @PrimaryColumn({ type: 'int' })
  nodeIndex!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** A signed tree head: the log had `treeSize` leaves with root `rootHash` at `timestamp`, signed by the institution. */
@Entity('tree_head')
export class TreeHead {
  @PrimaryColumn({ type: 'int' })
  treeSize!: number;

  @Column({ type: 'varchar', length: 64 })
  rootHash!: string;

  /** ISO-8601 UTC with milliseconds, as signed. */
  @Column({ type: 'varchar', length: 24 })
  timestamp!: string;

  /** base64 RSA-SHA256 over the head's signed text (see tree-head.ts). */
  @Column({ type: 'text' })
  signature!: string;

  /** SHA-256 of the signing certificate (DER), hex: which certificate verifies the signature. */
  @Column({ type: 'varchar', length: 64 })
  keyId!: string;
}

/** The certificates that signed tree heads, kept so that a head stays verifiable after the certificate is renewed. */
@Entity('log_certificate')
export class LogCertificate {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  keyId!: string;

  /** X.509 DER, base64. */
  @Column({ type: 'text' })
  der!: string;
}

/**
 * The sequencer's state, one row: the tree it has integrated so far (size and frontier, the roots of its perfect
 * subtrees). Its row lock elects the one sequencer that integrates at a time.
 */
@Entity('log_state')
export class LogState {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'int' })
  treeSize!: number;

  /** JSON array of hex hashes, left to right. */
  @Column({ type: 'text' })
  frontier!: string;
}
