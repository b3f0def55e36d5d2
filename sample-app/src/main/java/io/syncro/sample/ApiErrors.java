package io.syncro.sample;

import java.util.NoSuchElementException;

import io.syncro.protocol.SyncroException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers the REST API's failures as JSON problem details (RFC 9457), one shape for every
 * 4xx: bad input 400, a refused write 403, a missing record 404, and Spring MVC's own
 * (malformed JSON, a wrong method or media type) through
 * {@link ResponseEntityExceptionHandler}; never a 500 for input a client sent. A request
 * without credentials gets the same shape from {@code SecurityConfiguration}.
 *
 * @since 0.1.0
 */
@RestControllerAdvice
class ApiErrors extends ResponseEntityExceptionHandler {

	@ExceptionHandler(SyncroException.class)
	ProblemDetail badInput(SyncroException ex) {
		HttpStatus status = HttpStatus.resolve(ex.getCode());
		return ProblemDetail.forStatusAndDetail((status != null) ? status : HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler(NoSuchElementException.class)
	ProblemDetail notFound(NoSuchElementException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
	}

}
