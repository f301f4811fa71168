/** A workflow whose input and result are all payload: what the history stores is what the codec made. */
export interface EmployeeInput {
  employeeNumber: string;
  name: string;
  department: string;
}

export async function echoEmployeeWorkflow(input: EmployeeInput): Promise<EmployeeInput> {
  return input;
}
