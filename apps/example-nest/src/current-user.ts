import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { User } from './chat-service.js';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in visitor; absent before sign-in. */
    user: User;
  }
}

/** The signed-in user of a request, or null. */
export function userOf(req: Request): User | null {
  return req.session?.user ?? null;
}

/** Lets only signed-in visitors through; others get a 401. */
@Injectable()
export class SignedInGuard implements CanActivate {
  /** True for a request whose session holds a user. */
  canActivate(context: ExecutionContext): boolean {
    if (userOf(context.switchToHttp().getRequest<Request>())) return true;
    throw new UnauthorizedException('Sign in first');
  }
}

/** Parameter decorator for the signed-in user of a route guarded by `SignedInGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): User =>
    userOf(context.switchToHttp().getRequest<Request>()) as User,
);
