import { type CniErrorBody, type CniProblem } from '@ipledger/proto';

/** A refusal with the CNI error code the runtime should see; thrown inside the binary, printed once by main. */
export class CniFailure extends Error {
  override name = 'CniFailure';
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }

  static of(problem: CniProblem): CniFailure {
    return new CniFailure(problem.code, problem.msg, problem.details);
  }

  toBody(cniVersion: string): CniErrorBody {
    const body: CniErrorBody = { cniVersion, code: this.code, msg: this.message };
    if (this.details !== undefined) {
      body.details = this.details;
    }
    return body;
  }
}
