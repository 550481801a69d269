import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/** What a target gives the route it is bound to. */
export interface TargetConfig {
  /** The API Gateway integration that delivers a request to the target. */
  readonly integration: apigateway.Integration;
  /** A short description for the inventory, for example `lambda:<function name>`. */
  readonly description: string;
}

/**
 * Where an accepted request goes. Choose one with a static factory, for example
 * `Target.lambda(fn)`.
 */
export abstract class Target {
  /**
   * Delivers each request to a Lambda function (proxy integration, synchronous): the function's
   * response is the caller's response, and a function error is a 5xx the caller retries.
   */
  public static lambda(fn: lambda.IFunction): Target {
    return new LambdaTarget(fn);
  }

  /** Returns what a route needs to deliver to this target. */
  public abstract bind(): TargetConfig;
}

class LambdaTarget extends Target {
  constructor(private readonly fn: lambda.IFunction) {
    super();
  }

  public bind(): TargetConfig {
    return {
      integration: new apigateway.LambdaIntegration(this.fn, { proxy: true, allowTestInvoke: false }),
      description: `lambda:${this.fn.node.path}`,
    };
  }
}
