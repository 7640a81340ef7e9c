// A Python exception raised by the runtime: its Python class name and message, as jaclang
// prints them (`ZeroDivisionError: division by zero`).
export class PyError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}
