/** The policy file cannot be used: every problem at once, each with where it is and what would be right. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'POLICY_INVALID';
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: string[]) {
    super(
      `The policy file ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'} ` +
        `(see policy.example.yml):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.file = file;
    this.problems = problems;
  }
}
